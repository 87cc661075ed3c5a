"""Reading the append-only event log: paged and filtered, newest first (for the console and CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.db import Database


@dataclass
class EventFilter:
    agent: str | None = None
    level: str | None = None  # minimum level: debug < info < warning < error
    task_id: int | None = None
    candidate_id: int | None = None
    application_id: int | None = None
    text: str | None = None  # case-insensitive substring of the message


_LEVELS = {"debug": ["debug", "info", "warning", "error"], "info": ["info", "warning", "error"],
           "warning": ["warning", "error"], "error": ["error"]}


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def query_events(db: Database, f: EventFilter | None = None, *, limit: int = 200, before_id: int | None = None,
                 after_id: int | None = None) -> list[dict[str, Any]]:
    """Events matching ``f``: newest first below ``before_id``, or oldest first above ``after_id`` (tailing)."""
    f = f or EventFilter()
    where = ["TRUE"]
    params: dict[str, Any] = {"limit": limit}
    if f.agent:
        where.append("agent = %(agent)s"); params["agent"] = f.agent
    if f.level and f.level != "debug":
        where.append("level = ANY(%(levels)s)"); params["levels"] = _LEVELS.get(f.level, [f.level])
    if f.task_id is not None:
        where.append("task_id = %(task)s"); params["task"] = f.task_id
    if f.candidate_id is not None:
        where.append("candidate_id = %(cand)s"); params["cand"] = f.candidate_id
    if f.application_id is not None:
        where.append("application_id = %(app)s"); params["app"] = f.application_id
    if f.text:
        # Text search covers log lines, warnings and errors; routine state changes (queued, running,
        # succeeded) are not indexed for text and are found through their task instead.
        where.append("message ILIKE %(text)s AND (kind <> 'state' OR level <> 'info')")
        params["text"] = _like(f.text)
    if after_id is not None:
        where.append("id > %(after)s"); params["after"] = after_id
        order = "id ASC"
    else:
        if before_id is not None:
            where.append("id < %(before)s"); params["before"] = before_id
        order = "id DESC"
    return db.execute(
        f"SELECT * FROM events WHERE {' AND '.join(where)} ORDER BY {order} LIMIT %(limit)s", params
    )


def purge_events(db: Database, older_than_days: int) -> int:
    """Event retention: delete events older than the retention period, in batches."""
    total = 0
    while True:
        rows = db.execute(
            """DELETE FROM events WHERE id IN (
                   SELECT id FROM events WHERE ts < now() - make_interval(days => %s) LIMIT 10000)
               RETURNING 1""",
            (older_than_days,),
        )
        total += len(rows)
        if len(rows) < 10000:
            return total
