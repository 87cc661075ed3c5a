"""Passwords never leak from a connection string shown in an error, whatever they contain (issue 11)."""

from __future__ import annotations

import pytest

from core.db import redact


@pytest.mark.parametrize(("text", "shown"), [
    ("postgresql://u:p@ss/w@rd@127.0.0.1:5432/db", "postgresql://u:***@127.0.0.1:5432/db"),
    ("postgres://u:a/b@db.example.supabase.co/postgres", "postgres://u:***@db.example.supabase.co/postgres"),
    ("cannot reach postgresql://u:pw@h:5/db within 10s", "cannot reach postgresql://u:***@h:5/db within 10s"),
    ("postgres://u:a@b@h/db and postgresql://v:c/d@h2/db", "postgres://u:***@h/db and postgresql://v:***@h2/db"),
    ("host=h password=se@cret dbname=x", "host=h password=*** dbname=x"),
])
def test_everything_up_to_the_last_at_of_the_authority_is_redacted(text: str, shown: str) -> None:
    assert redact(text) == shown
    for secret in ("ss/w@rd", "a/b", "se@cret", "c/d"):
        assert secret not in redact(text)
