"""Fixtures of the end-to-end tests: one headless Chromium per test module, as the apply engine drives it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.apply_engine.browser import Browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b
