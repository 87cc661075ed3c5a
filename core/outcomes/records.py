"""Outcomes of applications: what an operator records, what a mailbox suggests, and what follows.

An operator's outcome (``talvix outcome`` or the console) counts at once. One read from a mailbox is
``pending`` until an operator confirms it (:func:`confirm_message`) or dismisses it; only confirmed
outcomes feed calibration and stop follow-ups. A confirmed ``interview`` enqueues ``interview_prep``
for the application and a notification to the candidate, in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from psycopg.types.json import Jsonb

from core import queue
from core.errors import InvalidInput, NotFound
from core.models import NewTask
from core.outcomes.kinds import KINDS, OPERATOR_KINDS
from core.safetext import clean

if TYPE_CHECKING:
    from core.crypto import Cipher
    from core.db import Database

#: Mail classification -> outcome kind (``other`` makes no outcome).
FROM_CLASSIFICATION = {"rejection": "rejected", "interview": "interview", "assessment": "assessment",
                       "offer": "offer", "confirmation": "acknowledged"}
#: An application must have been sent before these can be recorded.
NEEDS_SUBMISSION = ("no_response", "rejected", "interview", "offer", "assessment", "acknowledged")
SENT_STATES = ("submitted", "unknown_outcome")
MAX_NOTE = 2_000
_NOTE_CONTEXT = b"outcome-note"


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    text = clean(note, keep_newlines=True).strip()
    if not text:
        return None
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"--note is {len(text)} characters; at most {MAX_NOTE}")
    return text


def _interview_follow_ons(app: dict[str, Any], outcome_id: int) -> list[NewTask]:
    aid = int(app["id"])
    return [NewTask(agent="interview_prep", payload={"application_id": aid}, key=f"interview_prep:{aid}:outcome:{outcome_id}",
                    priority=5, candidate_id=app["candidate_id"], job_id=app["job_id"], application_id=aid)]


def notify_interview(conn: Any, app: dict[str, Any], outcome_id: int, when: str = "") -> list[Any] | None:
    """Queue the candidate's ``interview_invitation`` message in this transaction through the notifications
    outbox (``core.notify.triggers.on_interview``, once per application: an interview is recorded once).
    Without notifications installed the event log says so."""
    try:
        from core.notify import triggers
    except ImportError:  # a build without notifications
        queue.add_event(conn, "interview: no notification queued (notifications are not installed)", level="warning",
                        agent="outcomes", candidate_id=app["candidate_id"], job_id=app["job_id"],
                        application_id=app["id"])
        return None
    return triggers.on_interview(conn, int(app["id"]), when=when)


def _application(conn: Any, application_id: int) -> dict[str, Any]:
    row = conn.execute("""SELECT a.id, a.candidate_id, a.job_id, a.status, j.company, j.title
                            FROM applications a JOIN jobs j ON j.id = a.job_id WHERE a.id = %s FOR UPDATE OF a""",
                       (application_id,)).fetchone()
    if row is None:
        raise NotFound(f"no application with id {application_id}")
    return row


def add_outcome(conn: Any, cipher: Cipher, application_id: int, kind: str, *, note: str | None = None,
                source: str = "operator", status: str = "confirmed", who: str | None = None,
                details: dict[str, Any] | None = None, mail_message_id: int | None = None) -> dict[str, Any]:
    """Record an outcome inside the caller's transaction. A confirmed outcome of a kind the application
    already has is not recorded twice (``created`` False). Returns the outcome with ``created`` and the
    follow-on tasks enqueued."""
    if kind not in KINDS:
        raise InvalidInput(f"unknown outcome {kind!r}; expected one of {', '.join(OPERATOR_KINDS)}")
    text = _note(note)
    app = _application(conn, application_id)
    if kind in NEEDS_SUBMISSION and app["status"] not in SENT_STATES:
        raise InvalidInput(f"application {application_id} is {app['status']!r}, not submitted: only 'withdrawn' "
                           "can be recorded for it")
    who = who or queue.actor()
    if status == "confirmed":
        same = conn.execute("""SELECT id FROM outcomes WHERE application_id = %s AND kind = %s
                                 AND status = 'confirmed' ORDER BY id LIMIT 1""", (application_id, kind)).fetchone()
        if same is not None:
            return {"id": int(same["id"]), "application_id": application_id, "kind": kind, "created": False,
                    "status": status, "follow_ons": []}
    row = conn.execute(
        """INSERT INTO outcomes (application_id, kind, source, details, status, note_enc, created_by,
                                 confirmed_by, confirmed_at, mail_message_id)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, CASE WHEN %s THEN now() END, %s) RETURNING id, ts""",
        (application_id, kind, source, Jsonb(details) if details else None, status,
         cipher.encrypt(text, context=_NOTE_CONTEXT) if text else None, who,
         who if status == "confirmed" else None, status == "confirmed", mail_message_id)).fetchone()
    oid = int(row["id"])
    follow: list[dict[str, Any]] = []
    if status == "confirmed":
        cal = (details or {}).get("calendar") or {}
        follow = _confirmed(conn, app, oid, kind, who, source, str(cal.get("start") or ""))
    queue.add_event(conn, f"outcome {kind} ({status}, from {source})", agent="outcomes",
                    candidate_id=app["candidate_id"], job_id=app["job_id"], application_id=application_id,
                    data={"outcome_id": oid, "kind": kind, "status": status, "source": source})
    if source == "operator":
        queue.audit(conn, "record_outcome", target_type="application", target_ids=[application_id],
                    details={"kind": kind, "outcome_id": oid}, who=who)
    return {"id": oid, "application_id": application_id, "kind": kind, "created": True, "status": status,
            "follow_ons": follow}


def _confirmed(conn: Any, app: dict[str, Any], oid: int, kind: str, who: str, source: str,
               when: str = "") -> list[dict[str, Any]]:
    """What a confirmed outcome sets off: follow-ups stop; withdrawn withdraws; interview prepares."""
    conn.execute("""UPDATE followups SET status = 'cancelled', reason = %s, updated_at = now()
                     WHERE application_id = %s AND status IN ('draft', 'awaiting_approval', 'ready', 'queued')""",
                 (f"outcome {kind} recorded", app["id"]))
    if kind == "withdrawn" and app["status"] != "withdrawn":
        conn.execute("UPDATE applications SET status = 'withdrawn', reason = %s, updated_at = now() WHERE id = %s",
                     (f"withdrawn ({source}, {who})", app["id"]))
    out: list[dict[str, Any]] = []
    if kind == "interview":
        for new in _interview_follow_ons(app, oid):
            task, created = queue.insert_task(conn, new)
            out.append({"agent": task.agent, "task_id": task.id, "created": created})
        sent = notify_interview(conn, app, oid, when)
        for q in sent or []:
            out.append({"notification_id": q.id, "channel": q.channel, "created": q.created})
    return out


def record_outcome(db: Database, cipher: Cipher, application_id: int, kind: str, *, note: str | None = None,
                   who: str | None = None) -> dict[str, Any]:
    """An operator's outcome, confirmed at once (``talvix outcome APPLICATION KIND [--note]``)."""
    if kind not in OPERATOR_KINDS:
        raise InvalidInput(f"unknown outcome {kind!r}; expected one of {', '.join(OPERATOR_KINDS)}")
    with db.transaction() as conn:
        return add_outcome(conn, cipher, application_id, kind, note=note, who=who)


def list_outcomes(db: Database, cipher: Cipher, application_id: int) -> list[dict[str, Any]]:
    rows = db.execute("""SELECT id, application_id, kind, source, status, note_enc, created_by, confirmed_by, ts,
                                confirmed_at, mail_message_id FROM outcomes WHERE application_id = %s ORDER BY id""",
                      (application_id,))
    for r in rows:
        r["note"] = cipher.decrypt(r.pop("note_enc"), context=_NOTE_CONTEXT)
    return rows


# ------------------------------------------------------------------------------------------------
# Mail suggestions: the operator's confirmation
# ------------------------------------------------------------------------------------------------
def pending_messages(db: Database, cipher: Cipher, *, limit: int = 100) -> list[dict[str, Any]]:
    """Messages linked and classified, waiting for an operator (what the console's list shows)."""
    from core.outcomes.mail import decrypt_message_row

    rows = db.execute("""SELECT m.*, j.company, j.title FROM mail_messages m
                           LEFT JOIN applications a ON a.id = m.application_id LEFT JOIN jobs j ON j.id = a.job_id
                          WHERE m.status = 'pending' ORDER BY m.id LIMIT %s""", (limit,))
    return [decrypt_message_row(cipher, r) for r in rows]


def confirm_message(db: Database, cipher: Cipher, message_id: int, *, who: str | None = None,
                    classification: str | None = None, application_id: int | None = None) -> dict[str, Any]:
    """An operator confirms what a message says (optionally correcting its class or its application):
    the outcome it implies is recorded as confirmed. ``other`` confirms the message but records nothing."""
    who = who or queue.actor()
    with db.transaction() as conn:
        msg = conn.execute("SELECT * FROM mail_messages WHERE id = %s FOR UPDATE", (message_id,)).fetchone()
        if msg is None:
            raise NotFound(f"no mail message with id {message_id}")
        if msg["status"] not in ("pending", "unlinked"):
            raise InvalidInput(f"message {message_id} is already {msg['status']}")
        cls = classification or msg["classification"]
        if cls not in FROM_CLASSIFICATION and cls != "other":
            raise InvalidInput(f"unknown classification {cls!r}; expected one of "
                               f"{', '.join([*FROM_CLASSIFICATION, 'other'])}")
        aid = application_id or msg["application_id"]
        if aid is None and cls != "other":
            raise InvalidInput(f"message {message_id} is not linked to an application: name one to confirm it")
        if application_id is not None and msg["candidate_id"] is not None:
            owner = conn.execute("SELECT candidate_id FROM applications WHERE id = %s", (application_id,)).fetchone()
            if owner is not None and owner["candidate_id"] != msg["candidate_id"]:
                raise InvalidInput(f"message {message_id} was sent to candidate {msg['candidate_id']}, but application "
                                   f"{application_id} is candidate {owner['candidate_id']}'s")
        outcome = None
        if cls != "other":
            outcome = add_outcome(conn, cipher, int(aid), FROM_CLASSIFICATION[cls], source="mail", who=who,
                                  mail_message_id=message_id,
                                  details={"classification": cls, "calendar": msg["calendar"],
                                           "corrected": cls != msg["classification"] or aid != msg["application_id"]})
        conn.execute("""UPDATE mail_messages SET status = 'confirmed', classification = %s, application_id = %s,
                               decided_by = %s, decided_at = now(), outcome_id = %s WHERE id = %s""",
                     (cls, aid, who, outcome["id"] if outcome else None, message_id))
        queue.audit(conn, "confirm_mail", target_type="mail_message", target_ids=[message_id],
                    details={"classification": cls, "application_id": aid}, who=who)
    return {"message_id": message_id, "classification": cls, "application_id": aid, "outcome": outcome}


def dismiss_message(db: Database, message_id: int, *, who: str | None = None, reason: str = "") -> None:
    """An operator says the message implies nothing (wrong link, or not about an application)."""
    who = who or queue.actor()
    with db.transaction() as conn:
        row = conn.execute("""UPDATE mail_messages SET status = 'dismissed', decided_by = %s, decided_at = now()
                               WHERE id = %s AND status IN ('pending', 'unlinked') RETURNING id""",
                           (who, message_id)).fetchone()
        if row is None:
            raise NotFound(f"message {message_id} is not waiting for a decision")
        queue.audit(conn, "dismiss_mail", target_type="mail_message", target_ids=[message_id],
                    details={"reason": reason} if reason else None, who=who)
