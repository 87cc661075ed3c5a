"""The ``applications`` table: create one, set its status, read it with its job and candidate."""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from core.db import Database
from core.errors import NotFound


# ------------------------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------------------------
def create_application(conn: Any, candidate_id: int, job_id: int, *, status: str = "matched",
                       score: float | None = None, breakdown: dict[str, Any] | None = None,
                       decision: str | None = None) -> tuple[int, bool]:
    """The application of a candidate to a job; unique per (candidate, job). Returns (id, created)."""
    row = conn.execute(
        """INSERT INTO applications (candidate_id, job_id, status, score, score_breakdown, decision)
           VALUES (%s, %s, %s, %s, %s, %s)
           ON CONFLICT (candidate_id, job_id) DO NOTHING RETURNING id""",
        (candidate_id, job_id, status, score, Jsonb(breakdown) if breakdown is not None else None, decision),
    ).fetchone()
    if row is not None:
        return int(row["id"]), True
    row = conn.execute("SELECT id FROM applications WHERE candidate_id = %s AND job_id = %s",
                       (candidate_id, job_id)).fetchone()
    return int(row["id"]), False


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


def ready_to_tailor(conn: Any, ids: list[int]) -> list[dict[str, Any]]:
    """Of ``ids``, the applications decided ``apply`` and still ``preparing`` (tailoring has not started)."""
    return conn.execute("""SELECT id, candidate_id, job_id FROM applications
                            WHERE id = ANY(%s) AND decision = 'apply' AND status = 'preparing' ORDER BY id""",
                        (ids,)).fetchall()
