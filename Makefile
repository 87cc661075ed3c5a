# Everyday checks. `make lint` and `make test-fast` take seconds; `make test` is what CI runs.
.PHONY: lint test-fast test

lint:
	ruff check .
	lint-imports --no-cache
	mypy

test-fast:
	python3 -m pytest -q tests/unit

test:
	./scripts/test -q
