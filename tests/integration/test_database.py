"""The data layer: migrations, row-level security, the embedded default, encryption at rest."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from core.candidates import store as candidates
from core.crypto import Cipher, generate_key, load_cipher
from core.db import migrate, migration_files, migration_status
from tests.support.common import REPO, new_database


def test_migrations_run_twice_without_change(db):
    assert migrate(db) == []
    assert migrate(db) == []
    assert all(m["applied"] for m in migration_status(db))


def test_migrations_from_two_hosts_at_once_apply_once(pg_base_url):
    url = new_database(pg_base_url, "template1")
    code = (
        f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
        "from core.db import Database, migrate\n"
        f"db = Database({url!r}, min_size=0, max_size=2)\n"
        "print(len(migrate(db)))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = sorted(p.communicate(timeout=120)[0].strip() for p in procs)
    assert all(p.returncode == 0 for p in procs)
    assert outs == ["0", str(len(migration_files()))]  # one applied everything, the other found nothing to do
    with psycopg.connect(url) as conn:
        n = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    assert n == len(migration_files())


def test_row_level_security_is_enabled_on_every_table(db):
    rows = db.execute(
        """SELECT c.relname, c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'"""
    )
    assert len(rows) >= 14
    assert [r["relname"] for r in rows if not r["relrowsecurity"]] == []


def test_an_api_role_sees_nothing(db):
    """Supabase's anon/authenticated roles get no rows: RLS with no policy denies everything."""
    db.execute("INSERT INTO candidates (full_name) VALUES ('Asha')")
    with db.connection() as conn:
        conn.execute("DROP ROLE IF EXISTS talvix_test_anon")
        conn.execute("CREATE ROLE talvix_test_anon NOLOGIN")
        conn.execute("GRANT SELECT ON candidates TO talvix_test_anon")
        with conn.transaction():
            conn.execute("SET LOCAL ROLE talvix_test_anon")
            seen = conn.execute("SELECT count(*) AS n FROM candidates").fetchone()["n"]
        conn.execute("REVOKE ALL ON candidates FROM talvix_test_anon")
        conn.execute("DROP ROLE talvix_test_anon")
    assert seen == 0


def test_embedded_server_starts_once_and_other_processes_join(tmp_path):
    data = tmp_path / "d"
    code = (
        f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
        "from core.db import ensure_embedded\n"
        "import psycopg\n"
        f"url = ensure_embedded(__import__('pathlib').Path({str(data)!r}))\n"
        "print(psycopg.connect(url).execute('select pg_postmaster_start_time()').fetchone()[0])\n"
    )
    try:
        first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(3)]
        outs = {p.communicate(timeout=120)[0].strip() for p in procs}
        assert outs == {first.stdout.strip()}  # the same server, not three new ones
    finally:
        from core.db import stop_embedded

        stop_embedded(data)


def test_personal_data_is_encrypted_at_rest_and_found_by_email(db, settings):
    cipher = load_cipher(settings)
    profile = {"identity": {"first_name": "Asha", "last_name": "Rao", "email": "Asha.Rao@example.com",
                            "phone": "+919876543210"}, "skills": ["Python"]}
    cid, created = candidates.save_candidate(db, cipher, profile)
    assert created
    raw = db.one("SELECT * FROM candidates WHERE id = %s", (cid,))
    blob = b"".join(bytes(raw[k]) for k in ("email_enc", "phone_enc"))
    assert b"Asha.Rao" not in blob and b"9876543210" not in blob
    assert "email" not in raw["profile"]["identity"]
    assert candidates.find_candidate_by_email(db, cipher, "asha.rao@EXAMPLE.com ") == cid
    assert candidates.candidate_profile(db, cipher, cid)["identity"]["phone"] == "+919876543210"
    again, created2 = candidates.save_candidate(db, cipher, profile)
    assert (again, created2) == (cid, False)
    # another key cannot read it, and says so
    with pytest.raises(Exception, match="TALVIX_ENCRYPTION_KEY"):
        candidates.candidate_profile(db, Cipher(bytes(32)), cid)


def test_embedded_default_creates_a_private_key_file(tmp_path):
    from core.config import load_settings

    s = load_settings(data_dir=tmp_path)
    c1 = load_cipher(s)
    key_file = tmp_path / "encryption.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    c2 = load_cipher(s)
    assert c2.decrypt(c1.encrypt("x")) == "x"


def test_ciphertext_is_authenticated(tmp_path):
    c = Cipher(bytes.fromhex("11" * 32))
    blob = bytearray(c.encrypt("secret"))
    blob[-1] ^= 1
    with pytest.raises(Exception, match="cannot decrypt"):
        c.decrypt(bytes(blob))
    assert len(generate_key()) >= 43


def test_a_dropped_connection_is_replaced_by_the_pool(db):
    with db.connection() as conn, db.connection() as other:
        pid = conn.execute("SELECT pg_backend_pid() AS p").fetchone()["p"]
        other.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))  # waits until it is gone
    # A connection used a moment ago is handed out unchecked (saves a round trip per task); if it turns
    # out dead, that one statement fails, the pool discards it and every later statement works.
    failures = 0
    for _ in range(4):
        try:
            db.one("SELECT 1 AS one")
        except psycopg.OperationalError:
            failures += 1
    assert failures <= 1
    for _ in range(3):
        assert db.one("SELECT 1 AS one") == {"one": 1}
    assert db.one("SELECT pg_backend_pid() AS p")["p"] != pid


def test_an_idle_dead_connection_is_checked_before_use(db):
    with db.connection() as conn, db.connection() as other:
        pid = conn.execute("SELECT pg_backend_pid() AS p").fetchone()["p"]
        other.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
    db._last_used.clear()  # as if both had been idle for a while
    for _ in range(3):
        assert db.one("SELECT 1 AS one") == {"one": 1}
