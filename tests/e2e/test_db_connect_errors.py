"""A database that refuses is one clear line at once, and the pool's own log lines never reach stderr (issue 11)."""

from __future__ import annotations

import json
import logging
import socket

from core.db import _PoolLogToTalvix


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_database_is_one_line_naming_the_reason(run_talvix) -> None:
    url = f"postgresql://talvix:s3cret@127.0.0.1:{_closed_port()}/talvix"
    out = run_talvix("status", env={"TALVIX_DATABASE_URL": url, "TALVIX_DATABASE__CONNECT_TIMEOUT_S": "30"})
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr  # no "error connecting in 'talvix'" lines from the pool before it
    assert "Connection refused" in lines[0] and "s3cret" not in lines[0]
    assert lines[0].startswith("talvix: error: cannot connect to the database at postgresql://talvix:***@127.0.0.1")


def test_pool_log_lines_become_talvix_json_records() -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep()
    talvix_db = logging.getLogger("talvix.db")
    talvix_db.addHandler(keep)
    try:
        pool_logger = logging.getLogger("psycopg.pool")
        assert any(isinstance(h, _PoolLogToTalvix) for h in logging.getLogger("psycopg").handlers)
        pool_logger.warning("error connecting in 'talvix': connection to postgresql://u:pw@db:5432/x failed\n\tdetail")
    finally:
        talvix_db.removeHandler(keep)
    [rec] = records
    assert rec.name == "talvix.db" and rec.fields == {"event": "db.pool", "source": "psycopg.pool"}
    assert rec.getMessage() == "error connecting in 'talvix': connection to postgresql://u:***@db:5432/x failed"
    json.dumps(rec.fields)
