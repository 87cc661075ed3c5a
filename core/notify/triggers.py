"""What causes a notification, written in the transaction of its cause.

Each function takes the open connection of the transaction that records the event (an apply task's
completion or parking) and adds the outbox rows and their send tasks to it: both commit, or neither.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from core.notify import outbox
from core.notify import prefs as prefs_mod


def _application(conn: Any, application_id: int) -> dict[str, Any] | None:
    return conn.execute("SELECT id, candidate_id, documents FROM applications WHERE id = %s",
                        (application_id,)).fetchone()


def on_submitted(conn: Any, application_id: int) -> list[outbox.Queued]:
    """"Application submitted", with the tailored documents attached to the email."""
    app = _application(conn, application_id)
    if app is None:
        return []
    docs = app["documents"] or {}
    paths = [str(v["path"]) for v in docs.values() if isinstance(v, dict) and v.get("path")]
    return outbox.notify(conn, template="application_submitted", candidate_id=app["candidate_id"],
                         application_id=application_id,
                         context={"documents": [PurePosixPath(p).name for p in paths], "attachments": paths})


def on_needs_answer(conn: Any, task_id: int, application_id: int, reason: str, unanswered: list[str],
                    fields: list[dict[str, Any]], already_answered: Any = None) -> list[outbox.Queued]:
    """"Needs your answer": one message per required question the profile cannot answer.

    Only for an apply task parked because of such questions (``reason`` from the apply engine); an account
    wall, a blocked site or a field that could not be filled stays with the operator. ``fields`` are the
    answer-sheet rows. A question the candidate already answered once (their answer did not fit the field)
    is asked once more, then left to the operator.
    """
    if not unanswered or not reason.startswith("required question"):
        return []
    app = _application(conn, application_id)
    if app is None:
        return []
    already = already_answered if isinstance(already_answered, dict) else {}
    out: list[outbox.Queued] = []
    for q in (f for f in fields if (f.get("label") or f.get("name")) in unanswered):
        field = str(q.get("name") or q.get("label") or "")
        round_ = 1 if field in already else 0
        period = f"task{task_id}:{field}:{round_}"[:100]
        out += outbox.notify(conn, template="needs_answer", candidate_id=app["candidate_id"],
                             application_id=application_id, period=period, channels=["whatsapp"],
                             context={"task_id": task_id, "question": str(q.get("label") or field), "field": field})
    return out


def on_awaiting_approval(conn: Any, task_id: int, application_id: int, reason: str) -> list[outbox.Queued]:
    """"Approve your application?" only for candidates whose preferences let them decide."""
    app = _application(conn, application_id)
    if app is None or not prefs_mod.load(conn, app["candidate_id"]).candidate_decides:
        return []
    return outbox.notify(conn, template="approval_request", candidate_id=app["candidate_id"],
                         application_id=application_id, period=f"task{task_id}", channels=["whatsapp"],
                         context={"task_id": task_id, "reason": reason[:300]})


def weekly_summary(conn: Any, candidate_id: int, week: str) -> list[outbox.Queued]:
    """The week's summary for one candidate (``week`` like ``2026-W48``, the key's period: once per week).

    Counts come from the applications and notifications of the last seven days.
    """
    row = conn.execute(
        """SELECT count(*) FILTER (WHERE status = 'submitted' AND submitted_at > now() - interval '7 days') AS submitted,
                  count(*) FILTER (WHERE status = 'needs_human') AS waiting
             FROM applications WHERE candidate_id = %s""", (candidate_id,)).fetchone()
    interviews = conn.execute(
        """SELECT count(*) AS n FROM notifications WHERE candidate_id = %s AND template = 'interview_invitation'
             AND created_at > now() - interval '7 days'""", (candidate_id,)).fetchone()["n"]
    return outbox.notify(conn, template="weekly_summary", candidate_id=candidate_id, period=week,
                         context={"week": week, "submitted": int(row["submitted"]), "waiting": int(row["waiting"]),
                                  "interviews": int(interviews)})


def iso_week(when: datetime, timezone: str) -> str:
    """``2026-W49``: the ISO week ``when`` falls in, in ``timezone`` (the period of a weekly summary)."""
    year, week, _ = when.astimezone(prefs_mod.zone(timezone)).isocalendar()
    return f"{year}-W{week:02d}"


def weekly_summaries(db: Any, week: str, *, batch: int = 200) -> dict[str, Any]:
    """Queue the summary of ``week`` for every active candidate (the schedule ``weekly_summary``).

    One transaction per batch of candidates; the outbox key ``candidate:<id>:weekly_summary:<week>:<channel>``
    makes a second run of the same week (another host, a retried task) queue nothing more.
    """
    queued = already = after = seen = 0
    while True:
        with db.transaction() as conn:
            ids = [r["id"] for r in conn.execute(
                "SELECT id FROM candidates WHERE status = 'active' AND id > %s ORDER BY id LIMIT %s",
                (after, batch)).fetchall()]
            for cid in ids:
                for q in weekly_summary(conn, cid, week):
                    queued, already = queued + q.created, already + (not q.created)
        seen += len(ids)
        if len(ids) < batch:
            return {"week": week, "candidates": seen, "queued": queued, "already": already}
        after = ids[-1]


def on_interview(conn: Any, application_id: int, *, when: str = "", prep_pack: str | None = None,
                 round_: str = "1") -> list[outbox.Queued]:
    """"Interview invitation", with the prep pack (a storage path) attached to the email; once per round."""
    app = _application(conn, application_id)
    if app is None:
        return []
    context: dict[str, Any] = {"when": when}
    if prep_pack:
        context.update(prep_pack=PurePosixPath(prep_pack).name, attachments=[prep_pack])
    return outbox.notify(conn, template="interview_invitation", candidate_id=app["candidate_id"],
                         application_id=application_id, period=f"round{round_}", context=context)


def on_follow_up_sent(conn: Any, application_id: int, *, to: str = "", number: int = 1) -> list[outbox.Queued]:
    """"Follow-up sent" in the candidate's name (``to``: who it went to, e.g. the recruiter's role)."""
    app = _application(conn, application_id)
    if app is None:
        return []
    return outbox.notify(conn, template="follow_up_sent", candidate_id=app["candidate_id"],
                         application_id=application_id, period=f"followup{number}", context={"to": to})
