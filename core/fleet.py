"""The ``runners`` table: a runner registers, heartbeats and sets its status; stale runners are marked gone.

Every runner process, on every host, is one row; consoles and ``talvix status`` read them. Task rows
are the queue's (:mod:`core.queue`); this module only answers the runner's own questions about them.
"""

from __future__ import annotations

from typing import Any

from core.db import Database

_REGISTER = """
    INSERT INTO runners (id, host, pid, agents, concurrency, version, mode, status, info)
    VALUES (%s, %s, %s, %s, %s, %s, %s, 'running', %s)
    ON CONFLICT (id) DO UPDATE SET status = 'running', heartbeat_at = now(), stopped_at = NULL
"""


_BEAT = "UPDATE runners SET heartbeat_at = now() WHERE id = %s AND status <> 'gone' RETURNING id"
_SET_STATUS = """
    UPDATE runners SET status = %s, heartbeat_at = now(),
           stopped_at = CASE WHEN %s = 'gone' THEN now() END
     WHERE id = %s
"""


_MARK_STALE_GONE = """
    UPDATE runners SET status = 'gone', stopped_at = now()
     WHERE status <> 'gone' AND heartbeat_at < now() - make_interval(secs => %s)
    RETURNING id
"""


_IDLE = """
    SELECT count(*) AS n FROM tasks t
     WHERE t.agent = ANY(%s)
       AND (t.status = 'running'
            OR (t.status IN ('queued', 'failed') AND t.run_at <= now()
                AND NOT EXISTS (SELECT 1 FROM agent_controls ac WHERE ac.agent = t.agent AND ac.paused)))
"""


def mark_stale_gone(db: Database, stale_s: float) -> list[str]:
    """Runners that stopped heartbeating (SIGKILL, power loss) are marked gone so consoles stop listing them."""
    return [r["id"] for r in db.execute(_MARK_STALE_GONE, (float(stale_s),))]


def work_left(db: Database, agents: list[str]) -> int:
    """Tasks of ``agents`` that are running or could be claimed now (paused agents' tasks do not count)."""
    row = db.one(_IDLE, (agents,))
    return int(row["n"]) if row else 0


def register(db: Database, row: tuple[Any, ...]) -> None:
    """Insert this runner (id, host, pid, agents, concurrency, version, mode, info), or bring it back to running."""
    db.execute(_REGISTER, row)


def set_status(db: Database, runner_id: str, status: str) -> None:
    db.execute(_SET_STATUS, (status, status, runner_id))


def beat(db: Database, runner_id: str) -> bool:
    """Record a heartbeat; False when the row is gone (another process marked this runner gone)."""
    return bool(db.execute(_BEAT, (runner_id,)))


def purge_gone(db: Database, older_than_days: int) -> int:
    """Forget runners gone for more than ``older_than_days``; returns how many."""
    return len(db.execute(_PURGE_GONE, (older_than_days,)))


_PURGE_GONE = """
    DELETE FROM runners WHERE status = 'gone' AND stopped_at < now() - make_interval(days => %s) RETURNING id
"""


def live_count(db: Database, *, mode: str, fresh_s: float = 90.0) -> int:
    """Runners of ``mode`` (``console`` or ``headless``) running with a heartbeat in the last ``fresh_s`` seconds."""
    return int(db.value("""SELECT count(*) AS n FROM runners WHERE mode = %s AND status = 'running'
                            AND heartbeat_at > now() - make_interval(secs => %s)""", (mode, fresh_s)))
