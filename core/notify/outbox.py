"""The outbox: one row per (application or candidate, template, period, channel), written in the
transaction of the event that causes it, sent by a ``notify`` task.

States: ``pending`` -> ``sending`` (the marker, committed just before the provider is called) -> ``sent``
(with the provider's message id) | back to ``pending`` after a failure the provider reported (retried with
backoff) | ``failed`` (permanent, or retries used up; the provider's error kept) | ``unknown`` (a runner
stopped after the marker: a person checks, it is never sent twice) | ``suppressed`` (opted out, not on
WhatsApp, no address) | ``skipped`` (its channel is not configured: the setting is named, and the
notification that went by another of the candidate's channels instead, if any).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from core.db import like_escape
from core.errors import InvalidInput, NotFound
from core.models import NewTask
from core.notify import prefs as prefs_mod
from core.notify.templates import EMPLOYER_TEMPLATES, TEMPLATES
from core.queue import add_event, audit, insert_task

AGENT = "notify"
STATES = ("pending", "sending", "sent", "failed", "unknown", "suppressed", "skipped")
#: Templates whose message asks the candidate something: their reply is matched to them.
ASKING = ("needs_answer", "approval_request")
MAX_ATTEMPTS = 6


def key_for(template: str, period: str, channel: str, *, application_id: int | None, candidate_id: int) -> str:
    subject = f"application:{application_id}" if application_id is not None else f"candidate:{candidate_id}"
    return f"{subject}:{template}:{period}:{channel}"


@dataclass
class Queued:
    id: int
    key: str
    channel: str
    created: bool
    status: str


def notify(conn: Any, *, template: str, candidate_id: int, application_id: int | None = None,
           period: str = "once", context: dict[str, Any] | None = None, channels: list[str] | None = None,
           language: str | None = None, recipient_enc: bytes | None = None,
           followup_id: int | None = None) -> list[Queued]:
    """Write the notification (one row per channel) and the tasks that send it, in the caller's transaction.

    Writing the same (subject, template, period, channel) again changes nothing and returns the first row:
    the key is unique. A channel the candidate opted out of gets a ``suppressed`` row (the operator sees why
    nothing went out) and no task.
    """
    if template not in TEMPLATES:
        raise InvalidInput(f"unknown notification template {template!r} (known: {', '.join(TEMPLATES)})")
    if not period or len(period) > 100:
        raise InvalidInput("a notification period is a short non-empty text (e.g. 'once', '2026-W48')")
    prefs = prefs_mod.load(conn, candidate_id)
    employer = template in EMPLOYER_TEMPLATES
    if employer and (recipient_enc is None or (channels or []) != ["email"]):
        raise InvalidInput(f"{template} goes to an employer by email only, to the address given (recipient_enc)")
    wanted = channels or prefs.channels
    bad = [c for c in wanted if c not in prefs_mod.CHANNELS]
    if bad:
        raise InvalidInput(f"unknown channel {bad[0]!r} (channels: {', '.join(prefs_mod.CHANNELS)})")
    out: list[Queued] = []
    for channel in wanted:
        key = key_for(template, period, channel, application_id=application_id, candidate_id=candidate_id)
        stopped = channel in prefs.opted_out and not employer  # a candidate's STOP is about messages to them
        row = conn.execute(
            """INSERT INTO notifications (idempotency_key, candidate_id, application_id, channel, template, period,
                                          language, context, status, error, awaiting_reply, audience,
                                          recipient_enc, followup_id)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, status""",
            (key, candidate_id, application_id, channel, template, period,
             "en" if employer else language or prefs.language,
             Jsonb(context or {}), "suppressed" if stopped else "pending",
             "the candidate opted out of this channel" if stopped else None, template in ASKING,
             "employer" if employer else "candidate", recipient_enc, followup_id),
        ).fetchone()
        if row is None:
            old = conn.execute("SELECT id, status FROM notifications WHERE idempotency_key = %s", (key,)).fetchone()
            out.append(Queued(old["id"], key, channel, False, old["status"]))
            continue
        nid = row["id"]
        if not stopped:
            task, _ = insert_task(conn, NewTask(agent=AGENT, payload={"notification_id": nid}, key=f"notify:{key}",
                                                candidate_id=candidate_id, application_id=application_id,
                                                max_attempts=MAX_ATTEMPTS))
            conn.execute("UPDATE notifications SET task_id = %s WHERE id = %s", (task.id, nid))
        add_event(conn, f"notification {nid} {'suppressed (opted out)' if stopped else 'queued'}: {template} "
                        f"by {channel}", kind="state", agent=AGENT, candidate_id=candidate_id,
                  application_id=application_id, data={"notification_id": nid, "key": key})
        out.append(Queued(nid, key, channel, True, row["status"]))
    return out


def get(db: Any, notification_id: int) -> dict[str, Any]:
    row = db.one("SELECT * FROM notifications WHERE id = %s", (notification_id,))
    if row is None:
        raise NotFound(f"no notification with id {notification_id}")
    return row


_LIST_COLUMNS = """id, idempotency_key, candidate_id, application_id, channel, template, period, language, audience, status,
                   provider, provider_ref, error, attempts, task_id, created_at, sending_at, sent_at, updated_at"""


def list_outbox(db: Any, *, status: str | None = None, candidate_id: int | None = None, limit: int = 50,
                before_id: int | None = None) -> list[dict[str, Any]]:
    if status is not None and status not in STATES:
        raise InvalidInput(f"unknown notification status {status!r} (states: {', '.join(STATES)})")
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    return db.execute(
        f"""SELECT {_LIST_COLUMNS} FROM notifications
             WHERE (%(status)s::text IS NULL OR status = %(status)s)
               AND (%(cand)s::bigint IS NULL OR candidate_id = %(cand)s)
               AND (%(before)s::bigint IS NULL OR id < %(before)s)
             ORDER BY id DESC LIMIT %(limit)s""",
        {"status": status, "cand": candidate_id, "before": before_id, "limit": limit})


def resolve_unknown(db: Any, notification_id: int, *, sent: bool, who: str, provider_ref: str | None = None) -> None:
    """A person checked an ``unknown`` notification: it went out (``sent``) or it did not (``failed``)."""
    with db.transaction() as conn:
        row = conn.execute(
            """UPDATE notifications SET status = %s, provider_ref = COALESCE(%s, provider_ref),
                      sent_at = CASE WHEN %s THEN COALESCE(sent_at, now()) ELSE sent_at END,
                      error = CASE WHEN %s THEN error ELSE 'a person found it was not delivered' END, updated_at = now()
                WHERE id = %s AND status = 'unknown' RETURNING candidate_id, application_id, followup_id, provider_ref""",
            ("sent" if sent else "failed", provider_ref, sent, sent, notification_id)).fetchone()
        if row is None:
            raise NotFound(f"notification {notification_id} is not waiting for a person")
        if sent and row["followup_id"] is not None:  # a follow-up a person found delivered is sent, once
            from core.outcomes.followups import sent_by_notification

            sent_by_notification(conn, int(row["followup_id"]), notification_id, row["provider_ref"] or "resolved")
        add_event(conn, f"notification {notification_id} resolved by {who}: {'sent' if sent else 'not sent'}",
                  kind="state", agent=AGENT, candidate_id=row["candidate_id"], application_id=row["application_id"])
        audit(conn, "notification_resolve", target_type="notification", target_ids=[notification_id],
              details={"sent": sent}, who=who)


#: States an operator may send again: the provider surely did not take it (``failed``: it refused, or a
#: person found it was not delivered), or it was never tried (``skipped``: its channel was not configured).
RETRYABLE = ("failed", "skipped")
_INSTEAD = re.compile(r"instead \(notification (\d+)\)")


def retry(db: Any, notification_id: int, *, who: str) -> int:
    """Send a ``failed`` or ``skipped`` notification again, once: back to ``pending`` with a new send task.
    Returns the task's id.

    Never a second copy: only a row the provider surely did not take qualifies (``sent``, ``sending`` and
    ``unknown`` are refused), and a skipped row whose message already went by another channel is refused
    too. The state change and the task commit together, so pressing retry twice queues one send.
    """
    with db.transaction() as conn:
        row = conn.execute("SELECT * FROM notifications WHERE id = %s FOR UPDATE", (notification_id,)).fetchone()
        if row is None:
            raise NotFound(f"no notification with id {notification_id}")
        if row["status"] not in RETRYABLE:
            raise InvalidInput(f"notification {notification_id} is {row['status']}: only a failed or skipped "
                               "notification is sent again (an 'unknown' one is resolved first: talvix notify "
                               "resolve)")
        # A skipped row's message may have gone by another channel instead (the sender names that row in the
        # reason): sending this one as well would say the same thing twice.
        instead = _INSTEAD.search(row["error"] or "") if row["status"] == "skipped" else None
        went = None if instead is None else conn.execute(
            """SELECT id, channel FROM notifications WHERE id = %s
                 AND status IN ('pending', 'sending', 'sent', 'unknown')""", (int(instead.group(1)),)).fetchone()
        if went is not None:
            raise InvalidInput(f"notification {notification_id} already went (or is going) by {went['channel']} "
                               f"as notification {went['id']}: it is not sent twice")
        retries = conn.execute("SELECT count(*) AS n FROM tasks WHERE idempotency_key LIKE %s",
                               (like_escape(f"notify:{row['idempotency_key']}") + "%",)).fetchone()["n"]
        task, _ = insert_task(conn, NewTask(agent=AGENT, payload={"notification_id": notification_id},
                                            key=f"notify:{row['idempotency_key']}:retry{retries}",
                                            candidate_id=row["candidate_id"], application_id=row["application_id"],
                                            max_attempts=MAX_ATTEMPTS))
        conn.execute("""UPDATE notifications SET status = 'pending', attempts = 0, error = NULL, task_id = %s,
                               updated_at = now() WHERE id = %s""", (task.id, notification_id))
        add_event(conn, f"notification {notification_id} sent again by {who} (was {row['status']}: "
                        f"{row['error'] or 'no error recorded'})", kind="state", agent=AGENT,
                  candidate_id=row["candidate_id"], application_id=row["application_id"],
                  data={"notification_id": notification_id, "task_id": task.id})
        audit(conn, "notification_retry", target_type="notification", target_ids=[notification_id],
              details={"was": row["status"]}, who=who)
    return task.id


def sweep_stranded(conn: Any) -> int:
    """Rows left ``sending`` by a task that will never run again (dead, cancelled): ``unknown``, for a person.

    A reclaimed task finds its own marker; this catches the marker of a task the reaper gave up on.
    """
    rows = conn.execute(
        """UPDATE notifications n SET status = 'unknown', updated_at = now(),
                  error = 'left sending by a task that stopped for good: check whether it arrived'
            WHERE n.status = 'sending' AND n.sending_at < now() - interval '1 minute'
              AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = n.task_id
                                AND t.status IN ('queued', 'running', 'failed'))
        RETURNING n.id, n.candidate_id, n.application_id""").fetchall()
    for r in rows:
        add_event(conn, f"notification {r['id']}: outcome unknown (its task stopped after the marker); a person decides",
                  level="error", kind="state", agent=AGENT, candidate_id=r["candidate_id"],
                  application_id=r["application_id"])
    return len(rows)
