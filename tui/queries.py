"""Reads the console needs beyond ``core.browse`` (kept here until ``core/browse/pages.py`` exists).

Plain functions over the database, no Textual; every query parameterised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from datetime import datetime

from core import browse
from core.browse import TASK_SPEC, Field, Filter, Spec, Window, where_sql
from core.db import Database
from core.models import RETRYABLE_STATES


def task_states(db: Database, ids: Sequence[int]) -> list[dict[str, Any]]:
    """id, agent, status and last error of these tasks (what a retry's confirmation names)."""
    return db.execute("SELECT id, agent, status, last_error FROM tasks WHERE id = ANY(%s) ORDER BY id", (list(ids),))


def retry_breakdown(db: Database, flt: Filter, *, include_cancelled: bool) -> dict[str, Any]:
    """What a bulk retry of the filter would touch: the ids, and the count per (state, agent).

    ``cancelled`` tasks are left out unless asked (an operator cancelled them on purpose)."""
    states = [s for s in RETRYABLE_STATES if include_cancelled or s != "cancelled"]
    params: dict[str, Any] = {"states": states}
    where = where_sql(flt, TASK_SPEC, params)
    rows = db.execute(
        f"""SELECT t.status, t.agent, count(*) AS n, array_agg(t.id ORDER BY t.id) AS ids
              FROM tasks t WHERE {where} AND t.status = ANY(%(states)s)
             GROUP BY t.status, t.agent ORDER BY t.status, count(*) DESC, t.agent""",
        params,
    )
    params2: dict[str, Any] = {}
    cancelled = 0 if include_cancelled else int(db.one(
        f"SELECT count(*) AS n FROM tasks t WHERE {where_sql(flt, TASK_SPEC, params2)} AND t.status = 'cancelled'",
        params2)["n"])
    ids = sorted(i for r in rows for i in r["ids"])
    return {"ids": ids, "groups": [(r["status"], r["agent"], int(r["n"])) for r in rows],
            "cancelled_left_out": cancelled}


# ------------------------------------------------------------------------------------------------
# Apply sessions: paged, filtered, and live only while their runner is
# ------------------------------------------------------------------------------------------------
#: A session is live while it has not ended and the runner driving it still beats (or, with no
#: runner recorded, its task still holds a lease). Otherwise it is "stale": its runner is gone.
SESSION_STATE = """CASE WHEN s.ended_at IS NOT NULL THEN 'ended'
     WHEN EXISTS (SELECT 1 FROM runners r WHERE r.id = s.runner_id AND r.status <> 'gone'
                    AND r.heartbeat_at > COALESCE(%(now)s::timestamptz, now()) - make_interval(secs => %(stale_s)s))
       OR (s.runner_id IS NULL AND EXISTS (SELECT 1 FROM tasks t WHERE t.id = s.task_id AND t.status = 'running'
                    AND t.lease_until > COALESCE(%(now)s::timestamptz, now())))
     THEN 'live' ELSE 'stale' END"""

SESSION_SPEC = Spec(
    fields={
        "id": Field("s.id", "int"),
        "state": Field(f"({SESSION_STATE})", "enum", ("live", "stale", "ended")),
        "candidate": Field("c.full_name", "like"),
        "job": Field("j.title", "like"),
        "company": Field("j.company", "like"),
        "site": Field("s.site"),
        "step": Field("s.step"),
        "outcome": Field("s.outcome"),
        "app": Field("s.application_id", "int"),
        "task": Field("s.task_id", "int"),
        "runner": Field("s.runner_id"),
        "text": Field("(COALESCE(c.full_name, '') || ' ' || COALESCE(j.title, '') || ' ' || COALESCE(j.company, ''))",
                      "like"),
    },
    text="text",
    aliases={"status": "state", "application": "app", "title": "job"},
)

_SESSION_FROM = """apply_sessions s
      LEFT JOIN applications a ON a.id = s.application_id
      LEFT JOIN candidates c ON c.id = a.candidate_id
      LEFT JOIN jobs j ON j.id = a.job_id"""
_SESSION_SELECT = f"""SELECT s.id, s.application_id, s.task_id, s.runner_id, s.site, s.step, s.url, s.last_screenshot,
                             s.started_at, s.updated_at, s.ended_at, s.outcome, c.full_name AS candidate, j.company,
                             j.title, {SESSION_STATE} AS state
                        FROM {_SESSION_FROM}"""


def _session_params(now: datetime | None, stale_s: float) -> dict[str, Any]:
    return {"now": now, "stale_s": float(stale_s)}


def session_window(db: Database, flt: Filter, *, limit: int = 200, before_id: int | None = None,
                   now: datetime | None = None, stale_s: float = 90.0) -> Window:
    """A page of apply sessions, newest first, each with its state (live / stale / ended)."""
    params = _session_params(now, stale_s)
    return browse._window(db, _SESSION_SELECT, "s.id", where_sql(flt, SESSION_SPEC, params), params,
                          limit=limit, before_id=before_id)


def session_count(db: Database, flt: Filter, *, now: datetime | None = None, stale_s: float = 90.0) -> int | None:
    params = _session_params(now, stale_s)
    return browse._count(db, _SESSION_FROM, where_sql(flt, SESSION_SPEC, params), params)


__all__ = ["browse", "retry_breakdown", "session_count", "session_window", "task_states"]
