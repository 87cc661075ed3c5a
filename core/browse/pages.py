"""Paged, filtered reads for the console (and anything else that browses the database).

No Textual here: the console's screens call these functions from thread workers and render what they
return. Every table is read as a *window* (a few hundred rows, keyset-paged by id) with totals from
count queries, so the console stays fast with millions of rows.

Filters use the operators' ``key:value`` syntax (k9s, Sidekiq): ``agent:apply status:failed
site:lever err:timeout``; ``!`` negates a term (``!status:succeeded``), a comma lists alternatives
(``status:failed,dead``) and a bare word searches the view's text column. Keys map to fixed column
expressions per view; values are always query parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from core import queue
from core.browse.filters import (
    AUDIT_SPEC,
    CANDIDATE_SPEC,
    COUNT_TIMEOUT_MS,
    EVENT_SPEC,
    JOB_SPEC,
    SESSION_SPEC,
    SESSION_STATE,
    TASK_SPEC,
    Filter,
    where_sql,
)
from core.db import Database
from core.errors import TalvixError
from core.models import HUMAN_STATES, RETRYABLE_STATES


# ------------------------------------------------------------------------------------------------
# Windows
# ------------------------------------------------------------------------------------------------
@dataclass
class Window:
    """One page of rows, newest first, and where it sits in the whole."""

    rows: list[dict[str, Any]]
    before_id: int | None  # the page shows ids below this (None: the newest rows)
    has_older: bool
    has_newer: bool


#: A sort the operator chose: (column expression from a view's ``*_SORTS``, descending).
Order = tuple[str, bool]

#: Columns each paged view may be sorted by, over the whole filtered result (``S`` in the console):
#: the console's column key -> (SQL expression, whether the shown value runs the other way, as an age
#: does against its timestamp). Only these expressions ever reach the SQL text.
TASK_SORTS = {"id": ("t.id", False), "agent": ("t.agent", False), "status": ("t.status", False),
              "try": ("t.attempts", False), "site": ("t.site", False), "age": ("t.updated_at", True),
              "error": ("t.last_error", False)}
SESSION_SORTS = {"id": ("s.id", False), "candidate": ("c.full_name", False), "job": ("j.title", False),
                 "site": ("s.site", False), "step": ("s.step", False),
                 "elapsed": ("COALESCE(s.ended_at, COALESCE(%(now)s::timestamptz, now())) - s.started_at", False)}
JOB_SORTS = {"id": ("j.id", False), "company": ("j.company", False), "title": ("j.title", False),
             "location": ("j.location", False), "site": ("j.site", False), "status": ("j.status", False),
             "apps": ("applications", False), "seen": ("j.first_seen_at", True)}
CANDIDATE_SORTS = {"id": ("c.id", False), "name": ("c.full_name", False), "location": ("c.location", False),
                   "status": ("c.status", False), "policy": ("c.apply_policy", False),
                   "apps": ("applications", False), "sent": ("submitted", False)}
AUDIT_SORTS = {"id": ("o.id", False), "when": ("o.ts", False), "actor": ("o.actor", False),
               "action": ("o.action", False)}


def order_sql(sorts: dict[str, tuple[str, bool]], order: tuple[str, bool] | None) -> tuple[str, bool] | None:
    """(expression, descending) for a view's column key and direction, or None for the default order.
    A key that is not in ``sorts`` is refused (nothing the operator types reaches the SQL text)."""
    if order is None:
        return None
    key, desc = order
    if key not in sorts:
        raise TalvixError(f"cannot sort by {key!r}; sortable columns: {', '.join(sorts)}")
    expr, inverted = sorts[key]
    return expr, desc != inverted


def _window_query(select: str, order_col: str, flt_sql: str, params: dict[str, Any], *, limit: int,
                  before_id: int | None, order: Order | None = None, offset: int = 0) -> tuple[str, dict[str, Any]]:
    """The page query: one more row than shown (is there an older page?), newest first.

    The ``before`` bound is only written when there is one: a prepared statement's generic plan
    cannot drop a ``%s IS NULL OR id < %s`` condition, so one text per case keeps both on an index
    range scan backward (EXPLAIN at 1M tasks: the newest page reads 201 index entries).

    With an ``order`` (an expression from :func:`order_sql`) the whole filtered result is sorted by it
    (id breaks ties, the same way) and paged by ``offset``: the first row is the first of all, not of
    one page.
    """
    params = {**params, "limit": limit + 1}
    if order is not None:
        expr, desc = order
        way = "DESC NULLS LAST" if desc else "ASC NULLS LAST"
        params["offset"] = max(0, int(offset))
        return (f"{select} WHERE {flt_sql} ORDER BY {expr} {way}, {order_col} {'DESC' if desc else 'ASC'} "
                f"LIMIT %(limit)s OFFSET %(offset)s", params)
    bound = ""
    if before_id is not None:
        params["before"] = before_id
        bound = f" AND {order_col} < %(before)s"
    return f"{select} WHERE {flt_sql}{bound} ORDER BY {order_col} DESC LIMIT %(limit)s", params


def _window(db: Database, select: str, order_col: str, flt_sql: str, params: dict[str, Any], *,
            limit: int, before_id: int | None, order: Order | None = None, offset: int = 0) -> Window:
    query, params = _window_query(select, order_col, flt_sql, params, limit=limit, before_id=before_id,
                                  order=order, offset=offset)
    rows = db.execute(query, params)
    has_older = len(rows) > limit
    return Window(rows[:limit], before_id, has_older, before_id is not None or offset > 0)


def _count(db: Database, from_sql: str, flt_sql: str, params: dict[str, Any]) -> int | None:
    """An exact count, or None when it would take longer than :data:`COUNT_TIMEOUT_MS`."""
    try:
        with db.transaction() as conn:
            conn.execute(f"SET LOCAL statement_timeout = {int(COUNT_TIMEOUT_MS)}")
            row = conn.execute(f"SELECT count(*) AS n FROM {from_sql} WHERE {flt_sql}", params).fetchone()
            return int(row["n"]) if row else 0
    except psycopg.errors.QueryCanceled:
        return None


#: The queue view's columns only (the detail screen reads the whole task): every column more is
#: decoded for every row of every refresh (timestamps cost the most).
_TASK_SELECT = """SELECT t.id, t.agent, t.status, t.attempts, t.max_attempts, t.site, t.updated_at,
                         left(t.last_error, 300) AS last_error
                    FROM tasks t"""


def task_window_query(flt: Filter, *, limit: int = 200, before_id: int | None = None,
                      order: tuple[str, bool] | None = None, offset: int = 0) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters :func:`task_window` runs (the console benchmark times it bare).
    ``order``: (a :data:`TASK_SORTS` key, descending)."""
    params: dict[str, Any] = {}
    return _window_query(_TASK_SELECT, "t.id", where_sql(flt, TASK_SPEC, params), params, limit=limit,
                         before_id=before_id, order=order_sql(TASK_SORTS, order), offset=offset)


class Row(tuple):
    """A row as a plain tuple that also answers ``row["column"]``.

    Built by :func:`row_tuple` straight from psycopg's tuple (tuple's own constructor, no per-row
    Python code), so fetching a page costs what a tuple row costs (a dict per row was about a third
    more at 200 rows), and two pages compare with tuple equality in C. Subclasses set ``_index``.
    """

    __slots__ = ()
    _index: dict[str, int] = {}

    def __getitem__(self, i: Any) -> Any:
        return tuple.__getitem__(self, self._index[i] if isinstance(i, str) else i)


_ROW_CLASSES: dict[tuple[str, ...], type[Row]] = {}


def row_tuple(cursor: psycopg.Cursor[Any]) -> Any:
    """psycopg row factory: rows as :class:`Row` (one class per column list, made once)."""
    names = tuple(c.name for c in cursor.description or ())
    cls = _ROW_CLASSES.get(names)
    if cls is None:
        cls = _ROW_CLASSES[names] = type("Row", (Row,), {"__slots__": (), "_index": {n: i for i, n in enumerate(names)}})
    return cls


def task_window(db: Database, flt: Filter, *, limit: int = 200, before_id: int | None = None,
                order: tuple[str, bool] | None = None, offset: int = 0) -> Window:
    """A page of tasks as :class:`Row` tuples (the console compares and keys them on every refresh)."""
    query, params = task_window_query(flt, limit=limit, before_id=before_id, order=order, offset=offset)
    with db.connection() as conn:
        rows = conn.cursor(row_factory=row_tuple).execute(query, params).fetchall()
    return Window(rows[:limit], before_id, len(rows) > limit, before_id is not None or offset > 0)


def task_count(db: Database, flt: Filter) -> int | None:
    params: dict[str, Any] = {}
    return _count(db, "tasks t", where_sql(flt, TASK_SPEC, params), params)


def retryable_ids(db: Database, flt: Filter) -> list[int]:
    """Ids of every task the filter matches that an operator may retry (for bulk retry)."""
    params: dict[str, Any] = {"states": list(RETRYABLE_STATES)}
    rows = db.execute(
        f"SELECT t.id FROM tasks t WHERE {where_sql(flt, TASK_SPEC, params)} AND t.status = ANY(%(states)s) ORDER BY t.id",
        params,
    )
    return [r["id"] for r in rows]


def retry_ids(db: Database, ids: Sequence[int], who: str | None = None, chunk: int = 5000) -> list[int]:
    """Retry many tasks in chunks (each chunk one audited transaction)."""
    done: list[int] = []
    for i in range(0, len(ids), chunk):
        done.extend(queue.retry(db, ids[i:i + chunk], who=who))
    return done


def task_detail(db: Database, task_id: int, *, events: int = 60) -> dict[str, Any] | None:
    """A task with its latest events and what it links to (candidate, job, application)."""
    from core.crypto import mask_sealed

    task = db.one("SELECT * FROM tasks WHERE id = %s", (task_id,))
    if task is None:
        return None
    task = {**task, "result": mask_sealed(task.get("result"))}
    out: dict[str, Any] = {"task": task}
    out["events"] = db.execute(
        "SELECT id, ts, level, kind, runner_id, message FROM events WHERE task_id = %s ORDER BY id DESC LIMIT %s",
        (task_id, events),
    )
    if task["candidate_id"] is not None:
        out["candidate"] = db.one("SELECT id, full_name, location, status, apply_policy FROM candidates WHERE id = %s",
                                  (task["candidate_id"],))
    if task["job_id"] is not None:
        out["job"] = db.one("SELECT id, company, title, location, site, url, status FROM jobs WHERE id = %s",
                            (task["job_id"],))
    if task["application_id"] is not None:
        out["application"] = db.one("SELECT id, status, score, reason, submitted_at FROM applications WHERE id = %s",
                                    (task["application_id"],))
    return out


# ------------------------------------------------------------------------------------------------
# Overview
# ------------------------------------------------------------------------------------------------
def overview(db: Database, now: datetime | None = None, *, buckets: int = 30, bucket_s: int = 60) -> dict[str, Any]:
    """Queue depth per agent and state, oldest waiting task, throughput per minute, runners, pauses.

    ``now`` lets a caller freeze the clock (tests and snapshots); by default the database's clock.
    """
    ref = db.value("SELECT COALESCE(%s::timestamptz, now()) AS now", (now,))
    counts = queue.counts_by_agent(db)
    oldest = {r["agent"]: max(0.0, float(r["age"])) for r in db.execute(
        """SELECT agent, extract(epoch FROM %s::timestamptz - min(run_at))::float8 AS age
             FROM tasks WHERE status IN ('queued', 'failed') AND run_at <= %s::timestamptz GROUP BY agent""",
        (ref, ref))}
    done = db.execute(
        """SELECT floor(extract(epoch FROM %(now)s::timestamptz - finished_at) / %(b)s)::int AS k, count(*) AS n
             FROM tasks WHERE status = 'succeeded'
              AND finished_at > %(now)s::timestamptz - make_interval(secs => %(span)s)
              AND finished_at <= %(now)s::timestamptz
            GROUP BY 1""",
        {"now": ref, "b": bucket_s, "span": buckets * bucket_s},
    )
    series = [0] * buckets
    for r in done:
        if 0 <= r["k"] < buckets:
            series[buckets - 1 - r["k"]] = int(r["n"])
    ended = db.execute(
        """SELECT agent, floor(extract(epoch FROM %(now)s::timestamptz - finished_at) / %(b)s)::int AS k,
                  count(*) FILTER (WHERE status <> 'succeeded') AS bad, count(*) AS n
             FROM tasks WHERE status IN ('succeeded', 'failed', 'dead')
              AND finished_at > %(now)s::timestamptz - make_interval(secs => %(span)s)
              AND finished_at <= %(now)s::timestamptz
            GROUP BY 1, 2""",
        {"now": ref, "b": bucket_s, "span": buckets * bucket_s},
    )
    failures: dict[str, list[tuple[int, int]]] = {}
    for r in ended:
        if 0 <= r["k"] < buckets:
            failures.setdefault(r["agent"], [(0, 0)] * buckets)[buckets - 1 - r["k"]] = (int(r["bad"]), int(r["n"]))
    controls = queue.agent_controls(db)
    return {
        "now": ref,
        "counts": counts,
        "oldest_s": oldest,
        "throughput": series,
        #: Per agent, per bucket (oldest first): (tasks that ended failed or dead, tasks that ended).
        "failures": failures,
        "bucket_s": bucket_s,
        "paused_agents": sorted(a for a, c in controls.items() if c["paused"]),
        "controls": controls,
        "paused_sites": db.execute(
            "SELECT site, pause_reason, paused_until FROM sites WHERE paused ORDER BY site"),
        "runners": runner_rows(db, ref),
    }


def runner_rows(db: Database, now: datetime | None = None, include_gone: bool = True, limit: int = 500) -> list[dict[str, Any]]:
    """Runners on every host, live first, with heartbeat age measured against ``now``."""
    return db.execute(
        """SELECT id, host, pid, agents, concurrency, version, mode, status, started_at, heartbeat_at, stopped_at,
                  extract(epoch FROM COALESCE(%(now)s::timestamptz, now()) - heartbeat_at)::float8 AS heartbeat_age_s
             FROM runners WHERE %(gone)s OR status <> 'gone'
            ORDER BY status = 'gone', host, started_at, id LIMIT %(limit)s""",
        {"now": now, "gone": include_gone, "limit": limit},
    )


# ------------------------------------------------------------------------------------------------
# Sessions, approvals
# ------------------------------------------------------------------------------------------------
def live_sessions(db: Database, *, include_ended: int = 20) -> list[dict[str, Any]]:
    """Apply sessions still running, then the most recent ended ones (newest first)."""
    return db.execute(
        """(SELECT s.*, c.full_name AS candidate, j.company, j.title, true AS live
              FROM apply_sessions s
              LEFT JOIN applications a ON a.id = s.application_id
              LEFT JOIN candidates c ON c.id = a.candidate_id
              LEFT JOIN jobs j ON j.id = a.job_id
             WHERE s.ended_at IS NULL ORDER BY s.id DESC LIMIT 200)
           UNION ALL
           (SELECT s.*, c.full_name, j.company, j.title, false
              FROM apply_sessions s
              LEFT JOIN applications a ON a.id = s.application_id
              LEFT JOIN candidates c ON c.id = a.candidate_id
              LEFT JOIN jobs j ON j.id = a.job_id
             WHERE s.ended_at IS NOT NULL ORDER BY s.id DESC LIMIT %s)""",
        (include_ended,),
    )


def application_screenshots(db: Database, application_id: int) -> list[str]:
    """Relative paths of an application's screenshots, in step order."""
    rows = db.execute(
        """SELECT path FROM artifacts WHERE application_id = %s AND (kind = 'screenshot' OR mime = 'image/png')
            ORDER BY path, id""",
        (application_id,),
    )
    return [r["path"] for r in rows]


def approvals(db: Database, limit: int = 500) -> list[dict[str, Any]]:
    """What waits for a person: tasks awaiting approval or a human, then applications in unknown_outcome.

    Each row has a stable ``key`` (``task:<id>`` or ``app:<id>``) the console acts on.
    """
    return db.execute(
        """SELECT * FROM (
             SELECT 'task:' || t.id AS key, 'task' AS kind, t.id AS task_id, t.application_id, t.agent, t.status,
                    t.last_error AS reason, t.updated_at AS since, c.full_name AS candidate, j.company, j.title, j.site
               FROM tasks t
               LEFT JOIN applications a ON a.id = t.application_id
               LEFT JOIN candidates c ON c.id = COALESCE(t.candidate_id, a.candidate_id)
               LEFT JOIN jobs j ON j.id = COALESCE(t.job_id, a.job_id)
              WHERE t.status = ANY(%(human)s)
             UNION ALL
             SELECT 'app:' || a.id, 'application', NULL, a.id, 'apply', 'unknown_outcome', a.reason, a.updated_at,
                    c.full_name, j.company, j.title, j.site
               FROM applications a
               JOIN candidates c ON c.id = a.candidate_id
               JOIN jobs j ON j.id = a.job_id
              WHERE a.status = 'unknown_outcome'
                AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.application_id = a.id AND t.status = ANY(%(human)s))
           ) x ORDER BY since, key LIMIT %(limit)s""",
        {"human": list(HUMAN_STATES), "limit": limit},
    )


def approval_detail(db: Database, key: str, cipher: Any = None) -> dict[str, Any] | None:
    """The answer sheet, documents and screenshots behind one approvals row.

    The answers' values are sealed at rest (``core.crypto.seal_answer_sheets``): with ``cipher`` they are
    decrypted for the operator, without it they come back masked.
    """
    def reveal(value: Any) -> Any:
        return _opened(cipher, value)

    kind, _, raw = key.partition(":")
    if not raw.isdigit():
        return None
    ident = int(raw)
    task = None
    if kind == "task":
        task = db.one("SELECT * FROM tasks WHERE id = %s", (ident,))
        if task is None:
            return None
        app_id = task["application_id"]
    else:
        app_id = ident
    app = db.one(
        """SELECT a.*, c.full_name AS candidate, j.company, j.title, j.site, j.apply_url
             FROM applications a JOIN candidates c ON c.id = a.candidate_id JOIN jobs j ON j.id = a.job_id
            WHERE a.id = %s""",
        (app_id,),
    ) if app_id is not None else None
    result = (task or {}).get("result") or {}
    sheet = result.get("answer_sheet") or (app or {}).get("answer_sheet") or {}
    if isinstance(sheet, dict) and "fields" not in sheet and "answer_sheet" in sheet:
        sheet = sheet["answer_sheet"]
    documents = result.get("documents") or (app or {}).get("documents") or {}
    shots = list(result.get("screenshots") or [])
    if app_id is not None:
        shots += [p for p in application_screenshots(db, app_id) if p not in shots]
    app_sheet = (app or {}).get("answer_sheet") or {}
    unanswered = result.get("unanswered") or (app_sheet.get("unanswered") if isinstance(app_sheet, dict) else None) or []
    if task is not None:
        task = {**task, "result": reveal(task.get("result"))}
    if app is not None:
        app = {**app, "answer_sheet": reveal(app.get("answer_sheet"))}
    return {
        "key": key,
        "task": task,
        "application": app,
        "fields": reveal(list((sheet or {}).get("fields") or [])),
        "unanswered": list(unanswered or []),
        "documents": documents,
        "screenshots": shots,
        "reason": (task or {}).get("last_error") or (app or {}).get("reason"),
    }


def resolve_application(db: Database, application_id: int, outcome: str, note: str = "",
                        who: str | None = None) -> None:
    """An operator's verdict on an ``unknown_outcome`` application after checking the employer's site.

    ``submitted`` records it as sent (never re-sent); ``failed`` leaves it for a later decision. Audited.
    """
    if outcome not in ("submitted", "failed"):
        raise TalvixError(f"outcome must be submitted or failed, not {outcome!r}")
    with db.transaction() as conn:
        row = conn.execute(
            """UPDATE applications SET status = %s, reason = %s, updated_at = now(),
                      submitted_at = CASE WHEN %s = 'submitted' THEN COALESCE(submitted_at, now()) ELSE submitted_at END
                WHERE id = %s AND status = 'unknown_outcome' RETURNING id, candidate_id, job_id""",
            (outcome, note or f"resolved by {who or queue.actor()}", outcome, application_id),
        ).fetchone()
        if row is None:
            raise TalvixError(f"application {application_id} is not in unknown_outcome")
        queue.add_event(conn, f"application marked {outcome} by {who or queue.actor()}" + (f": {note}" if note else ""),
                        kind="state", agent="apply", candidate_id=row["candidate_id"], job_id=row["job_id"],
                        application_id=application_id, level="info")
        queue.audit(conn, f"resolve_{outcome}", target_type="application", target_ids=[application_id],
                    details={"note": note} if note else None, who=who)


# ------------------------------------------------------------------------------------------------
# Events, jobs, candidates, audit
# ------------------------------------------------------------------------------------------------
_EVENT_SELECT = "SELECT id, ts, level, kind, agent, task_id, candidate_id, application_id, runner_id, message FROM events"


def event_page(db: Database, flt: Filter, *, limit: int = 500, after_id: int | None = None) -> list[dict[str, Any]]:
    """The newest ``limit`` events matching ``flt`` (oldest first), or those after ``after_id`` (tailing)."""
    params: dict[str, Any] = {"limit": limit}
    cond = where_sql(flt, EVENT_SPEC, params)
    if after_id is not None:
        params["after"] = after_id
        return db.execute(f"{_EVENT_SELECT} WHERE {cond} AND id > %(after)s ORDER BY id LIMIT %(limit)s", params)
    rows = db.execute(f"{_EVENT_SELECT} WHERE {cond} ORDER BY id DESC LIMIT %(limit)s", params)
    rows.reverse()
    return rows


def last_event_id(db: Database) -> int:
    return int(db.value("SELECT COALESCE(max(id), 0) AS m FROM events"))


_JOB_SELECT = """SELECT j.id, j.company, j.title, j.location, j.site, j.ats, j.status, j.workplace, j.posted_at,
                        j.first_seen_at, (SELECT count(*) FROM applications a WHERE a.job_id = j.id) AS applications
                   FROM jobs j"""


def job_window(db: Database, flt: Filter, *, limit: int = 200, before_id: int | None = None,
               order: tuple[str, bool] | None = None, offset: int = 0) -> Window:
    params: dict[str, Any] = {}
    return _window(db, _JOB_SELECT, "j.id", where_sql(flt, JOB_SPEC, params), params, limit=limit, before_id=before_id,
                   order=order_sql(JOB_SORTS, order), offset=offset)


def job_count(db: Database, flt: Filter) -> int | None:
    params: dict[str, Any] = {}
    return _count(db, "jobs j", where_sql(flt, JOB_SPEC, params), params)


def job_detail(db: Database, job_id: int) -> dict[str, Any] | None:
    job = db.one("SELECT * FROM jobs WHERE id = %s", (job_id,))
    if job is None:
        return None
    job["applications_list"] = db.execute(
        """SELECT a.id, a.status, a.score, c.full_name FROM applications a JOIN candidates c ON c.id = a.candidate_id
            WHERE a.job_id = %s ORDER BY a.id LIMIT 50""", (job_id,))
    return job


_CANDIDATE_SELECT = """SELECT c.id, c.full_name, c.location, c.status, c.apply_policy, c.created_at,
                              (SELECT count(*) FROM applications a WHERE a.candidate_id = c.id) AS applications,
                              (SELECT count(*) FROM applications a WHERE a.candidate_id = c.id
                                  AND a.status = 'submitted') AS submitted
                         FROM candidates c"""


def candidate_window(db: Database, flt: Filter, *, limit: int = 200, before_id: int | None = None,
                     order: tuple[str, bool] | None = None, offset: int = 0) -> Window:
    params: dict[str, Any] = {}
    return _window(db, _CANDIDATE_SELECT, "c.id", where_sql(flt, CANDIDATE_SPEC, params), params, limit=limit, before_id=before_id,
                   order=order_sql(CANDIDATE_SORTS, order), offset=offset)


def candidate_count(db: Database, flt: Filter) -> int | None:
    params: dict[str, Any] = {}
    return _count(db, "candidates c", where_sql(flt, CANDIDATE_SPEC, params), params)


def candidate_detail(db: Database, candidate_id: int) -> dict[str, Any] | None:
    """A candidate without personal data (email and phone stay encrypted; the console never shows them)."""
    row = db.one(
        """SELECT id, full_name, location, status, apply_policy, profile, resume_path, created_at, updated_at
             FROM candidates WHERE id = %s""", (candidate_id,))
    if row is None:
        return None
    row["applications_list"] = db.execute(
        """SELECT a.id, a.status, a.score, j.company, j.title FROM applications a JOIN jobs j ON j.id = a.job_id
            WHERE a.candidate_id = %s ORDER BY a.id DESC LIMIT 50""", (candidate_id,))
    return row


_AUDIT_SELECT = "SELECT o.id, o.ts, o.actor, o.action, o.target_type, o.target_ids, o.details FROM operator_actions o"


def audit_window(db: Database, flt: Filter, *, limit: int = 200, before_id: int | None = None,
                 order: tuple[str, bool] | None = None, offset: int = 0) -> Window:
    params: dict[str, Any] = {}
    return _window(db, _AUDIT_SELECT, "o.id", where_sql(flt, AUDIT_SPEC, params), params, limit=limit, before_id=before_id,
                   order=order_sql(AUDIT_SORTS, order), offset=offset)


def audit_count(db: Database, flt: Filter) -> int | None:
    params: dict[str, Any] = {}
    return _count(db, "operator_actions o", where_sql(flt, AUDIT_SPEC, params), params)


def record_action(db: Database, action: str, *, target_type: str | None = None, target_ids: Sequence[int] = (),
                  details: dict[str, Any] | None = None, who: str | None = None) -> None:
    """Audit an operator action that has no queue function of its own (runner start/stop, save screenshot)."""
    with db.transaction() as conn:
        queue.audit(conn, action, target_type=target_type, target_ids=target_ids, details=details, who=who)


# ------------------------------------------------------------------------------------------------
# Operator guardrails: what a retry would touch
# ------------------------------------------------------------------------------------------------
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
    cancelled = 0 if include_cancelled else int(db.value(
        f"SELECT count(*) AS n FROM tasks t WHERE {where_sql(flt, TASK_SPEC, params2)} AND t.status = 'cancelled'",
        params2))
    ids = sorted(i for r in rows for i in r["ids"])
    return {"ids": ids, "groups": [(r["status"], r["agent"], int(r["n"])) for r in rows],
            "cancelled_left_out": cancelled}


# ------------------------------------------------------------------------------------------------
# Apply sessions: paged, filtered, live only while their runner beats
# ------------------------------------------------------------------------------------------------
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
                   now: datetime | None = None, stale_s: float = 90.0, order: tuple[str, bool] | None = None,
                   offset: int = 0) -> Window:
    """A page of apply sessions, newest first (or by ``order``), each with its state (live / stale / ended)."""
    params = _session_params(now, stale_s)
    return _window(db, _SESSION_SELECT, "s.id", where_sql(flt, SESSION_SPEC, params), params,
                   limit=limit, before_id=before_id, order=order_sql(SESSION_SORTS, order), offset=offset)


def session_count(db: Database, flt: Filter, *, now: datetime | None = None, stale_s: float = 90.0) -> int | None:
    params = _session_params(now, stale_s)
    return _count(db, _SESSION_FROM, where_sql(flt, SESSION_SPEC, params), params)


# ------------------------------------------------------------------------------------------------
# What needs attention (the overview's alerts line)
# ------------------------------------------------------------------------------------------------
def attention(db: Database, *, now: datetime | None = None, stale_s: float = 90.0) -> dict[str, Any]:
    """Stale live sessions (not ended, runner gone) and the age of the oldest approval waiting."""
    params = _session_params(now, stale_s)
    stale = db.value(f"SELECT count(*) AS n FROM apply_sessions s WHERE s.ended_at IS NULL AND ({SESSION_STATE}) = 'stale'",
                     params)
    oldest = db.value(
        """SELECT extract(epoch FROM COALESCE(%(now)s::timestamptz, now()) - min(updated_at))::float8 AS s
             FROM tasks WHERE status = 'awaiting_approval'""", params)
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


def answer_labels(db: Database, task_ids: Sequence[int], cipher: Any = None) -> dict[int, dict[str, dict[str, Any]]]:
    """For the audit log: each task's answer-sheet questions by field name (label, value), so an
    edit recorded as ``{"cards[<uuid>][field0]": "60 days"}`` reads as its question, old -> new.
    Values are sealed at rest: with ``cipher`` they come back opened, otherwise masked."""
    if not task_ids:
        return {}
    rows = db.execute(
        """SELECT t.id, COALESCE(t.result -> 'answer_sheet' -> 'fields', a.answer_sheet -> 'fields') AS fields
             FROM tasks t LEFT JOIN applications a ON a.id = t.application_id
            WHERE t.id = ANY(%s)""",
        (list(task_ids),),
    )
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for r in rows:
        fields = r["fields"] if isinstance(r["fields"], list) else []
        out[r["id"]] = {str(f.get("name") or f.get("label")): {"label": f.get("label"),
                                                               "value": _opened(cipher, f.get("value"))}
                        for f in fields if isinstance(f, dict)}
    return out


def _opened(cipher: Any, value: Any) -> Any:
    """``value`` with its sealed personal values opened with ``cipher``, or masked without one."""
    from core.crypto import mask_sealed, open_sealed

    return open_sealed(cipher, value) if cipher is not None else mask_sealed(value)


# ------------------------------------------------------------------------------------------------
# Sites: pauses and budgets (what talvix apply-sites shows)
# ------------------------------------------------------------------------------------------------
def site_rows(db: Database, settings: Any, site: str | None = None, *,
              now: datetime | None = None) -> list[dict[str, Any]]:
    """Every known site (or one) with its pause, today's submissions against its daily cap and when the
    next session is allowed (the minimum interval since the last one)."""
    from core.apply_engine import sites

    rows = db.execute(
        """SELECT site, paused AND (paused_until IS NULL OR paused_until > COALESCE(%(now)s::timestamptz, now())) AS paused,
                  paused_until, pause_reason, min_interval_s, daily_cap, last_action_at,
                  extract(epoch FROM COALESCE(%(now)s::timestamptz, now()) - last_action_at)::float8 AS since_s
             FROM sites WHERE %(site)s::text IS NULL OR site = %(site)s ORDER BY paused DESC, site""",
        {"now": now, "site": site},
    )
    out = []
    for r in rows:
        budget = sites.budget_for(settings, r["site"], r)
        with db.transaction() as conn:
            day = sites._day_counts(conn, r["site"], None, settings.timezone)
        wait = None
        if r["since_s"] is not None and budget.min_interval_s > 0:
            wait = max(0.0, budget.min_interval_s - float(r["since_s"]))
        out.append({**r, "cap": budget.daily_cap, "today": int(day["site"]), "min_interval_s": budget.min_interval_s,
                    "next_in_s": wait, "over_budget": bool(budget.daily_cap and day["site"] >= budget.daily_cap)})
    return out
