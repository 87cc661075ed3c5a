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


# ------------------------------------------------------------------------------------------------
# What needs attention (the overview's alerts line)
# ------------------------------------------------------------------------------------------------
def attention(db: Database, *, now: datetime | None = None, stale_s: float = 90.0) -> dict[str, Any]:
    """Stale live sessions (not ended, runner gone) and the age of the oldest approval waiting."""
    params = _session_params(now, stale_s)
    stale = db.one(f"SELECT count(*) AS n FROM apply_sessions s WHERE s.ended_at IS NULL AND ({SESSION_STATE}) = 'stale'",
                   params)["n"]
    oldest = db.one(
        """SELECT extract(epoch FROM COALESCE(%(now)s::timestamptz, now()) - min(updated_at))::float8 AS s
             FROM tasks WHERE status = 'awaiting_approval'""", params)["s"]
    return {"stale_sessions": int(stale), "oldest_approval_s": oldest}


# ------------------------------------------------------------------------------------------------
# Errors grouped by their normalised message (Sidekiq's and Oban's dashboards)
# ------------------------------------------------------------------------------------------------
#: Numbers, ids and quoted values vary between two failures of one cause; these make them one.
NORMALISED_ERROR = (
    "left(regexp_replace(regexp_replace(regexp_replace(regexp_replace(COALESCE(t.last_error, ''), "
    "'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<id>', 'gi'), "
    "'''[^'']*''|\"[^\"]*\"', '<...>', 'g'), "
    "'[0-9]+([.][0-9]+)?', 'N', 'g'), "
    "'[[:space:]]+', ' ', 'g'), 200)"
)

ERROR_STATES = ("failed", "dead")


def error_groups(db: Database, flt: Filter, *, limit: int = 200) -> list[dict[str, Any]]:
    """Failed and dead tasks the filter matches, grouped by agent and normalised error, biggest first."""
    params: dict[str, Any] = {"states": list(ERROR_STATES), "limit": limit}
    where = where_sql(flt, TASK_SPEC, params)
    return db.execute(
        f"""SELECT t.agent, {NORMALISED_ERROR} AS error, count(*) AS n,
                   count(*) FILTER (WHERE t.status = 'failed') AS failed,
                   count(*) FILTER (WHERE t.status = 'dead') AS dead,
                   max(t.updated_at) AS latest, min(t.id) AS first_id, max(t.last_error) AS example
              FROM tasks t WHERE {where} AND t.status = ANY(%(states)s)
             GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT %(limit)s""",
        params,
    )


def error_group_ids(db: Database, agent: str, error: str, states: Sequence[str] = ERROR_STATES) -> list[int]:
    """The ids of one group (the same agent and normalised message) in ``states``."""
    rows = db.execute(
        f"""SELECT t.id FROM tasks t WHERE t.agent = %(agent)s AND t.status = ANY(%(states)s)
               AND {NORMALISED_ERROR} = %(error)s ORDER BY t.id""",
        {"agent": agent, "error": error, "states": list(states)},
    )
    return [r["id"] for r in rows]


__all__ = ["browse", "retry_breakdown", "session_count", "session_window", "task_states"]
