"""Helpers every tier uses: the repository root, the test encryption key, database names, the talvix command.

Fixtures are in ``tests/conftest.py``; this module holds plain functions and constants only.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from core.config import Settings, load_settings
from core.crypto import generate_key

REPO = Path(__file__).resolve().parents[2]
TEST_KEY = generate_key()
_counter = itertools.count()


def load_script(path: Path, name: str) -> Any:
    """A script that is not a package module (a ``bench/`` script), loaded as module ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def burn_cpu(seconds: float) -> None:
    """Spend ``seconds`` of this process's CPU time (for tests of CPU meters)."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def url_for_db(base_url: str, dbname: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def new_database(pg_base_url: str, template: str) -> str:
    name = f"talvix_t{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_base_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    return url_for_db(pg_base_url, name)


def talvix_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", *args]


def wait_for(predicate: Any, timeout: float = 30.0, interval: float = 0.05, message: str = "condition") -> Any:
    """Poll ``predicate`` until it returns a truthy value (a condition, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def settings_with(settings: Settings, **overrides: Any) -> Settings:
    """The test's settings (its data folder, database and key) with the given sections or values replaced."""
    key = settings.encryption_key
    return load_settings(data_dir=settings.data_dir, database_url=settings.database_url.get_secret_value(),
                         encryption_key=key.get_secret_value() if key is not None else None, **overrides)
