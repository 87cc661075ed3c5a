"""Reads the console needs beyond ``core.browse`` (kept here until ``core/browse/pages.py`` exists).

Plain functions over the database, no Textual; every query parameterised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core import browse
from core.browse import TASK_SPEC, Filter, where_sql
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


__all__ = ["browse", "retry_breakdown", "task_states"]
