"""`talvix db status` reports the role's security posture (issue 11): superuser, table owner, RLS."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from psycopg import sql

from core.db import Database, security_status


def test_the_embedded_superuser_is_reported_and_every_table_is_locked(db):
    st = security_status(db)
    assert st["superuser"] is True and any("is a superuser" in p for p in st["problems"])
    assert st["tables"] >= 14 and st["tables_not_owned"] == [] and st["locked"] is True
    assert "key_check" not in st["tables_without_rls"]


def test_a_table_without_rls_or_with_a_policy_unlocks_it(db):
    db.execute("CREATE TABLE stray (id int)")
    db.execute("CREATE POLICY anyone ON jobs FOR SELECT USING (true)")
    st = security_status(db)
    assert st["tables_without_rls"] == ["stray"] and st["tables_with_policies"] == ["jobs"]
    assert st["locked"] is False
    assert any("row-level security is off on stray" in p for p in st["problems"])
    assert any("RLS policies on jobs" in p for p in st["problems"])


def test_a_role_that_is_no_superuser_and_owns_nothing_is_told_so(db, db_url):
    role = f"talvix_probe_{os.getpid()}"
    db.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    db.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'probe'").format(sql.Identifier(role)))
    try:
        db.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(role)))
        parts = urlsplit(db_url)
        host = parts.netloc.split("@")[-1]
        url = urlunsplit((parts.scheme, f"{role}:probe@{host}", parts.path, parts.query, parts.fragment))
        other = Database(url, min_size=0, max_size=1)
        try:
            st = security_status(other)
        finally:
            other.close()
        assert st["role"] == role and st["superuser"] is False and not any("superuser" in p for p in st["problems"])
        assert "candidates" in st["tables_not_owned"] and "tasks" in st["tables_not_owned"]
        assert any(f"the role {role} does not own" in p for p in st["problems"])
    finally:
        db.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        db.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
