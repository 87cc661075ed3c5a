"""The ``applications`` table: create one, set its status, read it with its job and candidate."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from core.db import Database
from core.errors import NotFound


# ------------------------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------------------------
def create_application(conn: Any, candidate_id: int, job_id: int, *, status: str = "matched",
                       score: float | None = None, breakdown: dict[str, Any] | None = None,
                       decision: str | None = None) -> tuple[int, bool]:
    """The application of a candidate to a job; unique per (candidate, job). Returns (id, created)."""
    created = create_applications(conn, [{"candidate_id": candidate_id, "job_id": job_id, "status": status,
                                          "score": score, "breakdown": breakdown, "decision": decision}])
    if created:
        return created[(candidate_id, job_id)], True
    row = conn.execute("SELECT id FROM applications WHERE candidate_id = %s AND job_id = %s",
                       (candidate_id, job_id)).fetchone()
    return int(row["id"]), False


_CREATE_MANY = """
WITH v AS (
    SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb)
        AS v(ord int, candidate_id bigint, job_id bigint, status text, score float8, breakdown jsonb, decision text)
)
INSERT INTO applications (candidate_id, job_id, status, score, score_breakdown, decision)
SELECT candidate_id, job_id, status, score, breakdown, decision FROM v ORDER BY ord
ON CONFLICT (candidate_id, job_id) DO NOTHING
RETURNING id, candidate_id, job_id
"""


def create_applications(conn: Any, rows: Sequence[dict[str, Any]]) -> dict[tuple[int, int], int]:
    """Many :func:`create_application` calls in one statement. ``rows``: ``candidate_id``, ``job_id``,
    ``status``, ``score``, ``breakdown``, ``decision``. Returns the id of each application created, by
    (candidate id, job id); a pair that already has one is left as it is and missing from the answer."""
    if not rows:
        return {}
    doc = json.dumps([{"ord": i, "candidate_id": r["candidate_id"], "job_id": r["job_id"], "status": r["status"],
                       "score": r.get("score"), "breakdown": r.get("breakdown"), "decision": r.get("decision")}
                      for i, r in enumerate(rows)])
    return {(int(r["candidate_id"]), int(r["job_id"])): int(r["id"])
            for r in conn.execute(_CREATE_MANY, {"rows": doc}).fetchall()}


def set_application_status(conn: Any, application_id: int, status: str, reason: str | None = None) -> None:
    conn.execute(
        "UPDATE applications SET status = %s, reason = COALESCE(%s, reason), updated_at = now() WHERE id = %s",
        (status, reason, application_id),
    )


def get_application(db: Database, application_id: int) -> dict[str, Any]:
    row = db.one("SELECT * FROM applications WHERE id = %s", (application_id,))
    if row is None:
        raise NotFound(f"no application with id {application_id}")
    return row


def ready_to_tailor(conn: Any, pairs: Sequence[tuple[int, int]]) -> list[dict[str, Any]]:
    """Of the applications of ``pairs`` (candidate id, job id), those decided ``apply`` and still ``preparing``
    (tailoring has not started)."""
    if not pairs:
        return []
    return conn.execute("""SELECT a.id, a.candidate_id, a.job_id
                             FROM applications a JOIN unnest(%s::bigint[], %s::bigint[]) AS p(c, j)
                               ON a.candidate_id = p.c AND a.job_id = p.j
                            WHERE a.decision = 'apply' AND a.status = 'preparing' ORDER BY a.id""",
                        ([c for c, _ in pairs], [j for _, j in pairs])).fetchall()
