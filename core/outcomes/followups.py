"""Follow-ups on submitted applications that have heard nothing back.

A daily sweep (schedule ``follow_up_sweep``) finds submitted applications with no confirmed outcome and
counts the business days since submission in the configured timezone (weekends and ``outcomes.holidays``
do not count). The period ``seq`` = business days // ``outcomes.followup_business_days``; each period gets
at most one follow-up (``followups`` is unique on application and period, and the task's idempotency key
is ``follow_up:<application>:<seq>``), and an application gets at most ``outcomes.followup_max`` in all.
A sweep that did not run for a while sends one for the current period, never one per missed period.

A follow-up is a polite note to the recruiter when an address is known (a person who wrote from the
employer about this application, or a recruiter address in the job's data), otherwise a reminder to the
candidate. The approval policy applies as for applications: the stricter of the candidate's
``apply_policy`` and the site's; ``always`` holds every recruiter note for an operator, ``when_uncertain``
holds one whose address comes from a message not yet confirmed. Every sentence in a note is built from the
application's own facts (job title, company, date applied, the candidate's name); nothing is claimed for
the candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from core import queue
from core.errors import NotFound
from core.models import NewTask

if TYPE_CHECKING:
    from core.config import Settings
    from core.crypto import Cipher
    from core.db import Database

AGENT = "follow_up"
POLICY_ORDER = {"never": 0, "when_uncertain": 1, "always": 2}
_RECIPIENT_CONTEXT = RECIPIENT_CONTEXT = b"followup-recipient"
_BODY_CONTEXT = b"followup-body"
#: Job data keys that may hold a recruiter's address (sources put them there when a posting names one).
JOB_CONTACT_KEYS = ("recruiter_email", "contact_email", "hiring_manager_email")
_EMAIL = re.compile(r"^[^@\s<>]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
SWEEP_BATCH = 500


# ------------------------------------------------------------------------------------------------
# Business days
# ------------------------------------------------------------------------------------------------
def is_business_day(d: date, holidays: frozenset[date] = frozenset()) -> bool:
    return d.weekday() < 5 and d not in holidays


def business_days_between(start: date, end: date, holidays: frozenset[date] = frozenset()) -> int:
    """Business days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    for i in range(1, extra + 1):
        if (start + timedelta(days=i)).weekday() < 5:
            count += 1
    count -= sum(1 for h in holidays if start < h <= end and h.weekday() < 5)
    return count


def add_business_days(start: date, n: int, holidays: frozenset[date] = frozenset()) -> date:
    """The date ``n`` business days after ``start``."""
    d = start
    while n > 0:
        d += timedelta(days=1)
        if is_business_day(d, holidays):
            n -= 1
    return d


def period_of(submitted_at: datetime, now: datetime, every: int, tz: ZoneInfo,
              holidays: frozenset[date] = frozenset()) -> int:
    """The follow-up period an application is in now: business days since submission // ``every``
    (0: the first follow-up is not due yet)."""
    start = submitted_at.astimezone(tz).date()
    today = now.astimezone(tz).date()
    return business_days_between(start, today, holidays) // every


def holidays_of(settings: Settings) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in settings.outcomes.holidays)


# ------------------------------------------------------------------------------------------------
# The sweep
# ------------------------------------------------------------------------------------------------
_DUE_SQL = """
SELECT a.id, a.candidate_id, a.job_id, a.submitted_at,
       (SELECT max(f.seq) FROM followups f WHERE f.application_id = a.id) AS last_seq,
       (SELECT count(*) FROM followups f WHERE f.application_id = a.id AND f.status <> 'cancelled') AS sent_count
  FROM applications a
 WHERE a.status = 'submitted' AND a.submitted_at IS NOT NULL
   AND a.submitted_at <= %(now)s - make_interval(days => %(min_days)s)
   AND a.id > %(after)s
   AND NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.application_id = a.id AND o.status = 'confirmed')
 ORDER BY a.id
 LIMIT %(limit)s
"""


def sweep(db: Database, settings: Settings, now: datetime | None = None) -> list[NewTask]:
    """One ``follow_up`` task per application whose current period has no follow-up yet."""
    cfg = settings.outcomes
    if cfg.followup_max < 1:
        return []
    tz = ZoneInfo(settings.timezone)
    now = now or datetime.now(UTC)
    hol = holidays_of(settings)
    out: list[NewTask] = []
    after = 0
    while True:
        rows = db.execute(_DUE_SQL, {"min_days": cfg.followup_business_days, "after": after, "limit": SWEEP_BATCH,
                                     "now": now})
        for r in rows:
            seq = period_of(r["submitted_at"], now, cfg.followup_business_days, tz, hol)
            if seq >= 1 and (r["last_seq"] or 0) < seq and int(r["sent_count"]) < cfg.followup_max:
                out.append(NewTask(agent=AGENT, payload={"application_id": r["id"], "seq": seq},
                                   key=f"follow_up:{r['id']}:{seq}", candidate_id=r["candidate_id"],
                                   job_id=r["job_id"], application_id=r["id"]))
        if len(rows) < SWEEP_BATCH:
            return out
        after = rows[-1]["id"]


# ------------------------------------------------------------------------------------------------
# Drafting
# ------------------------------------------------------------------------------------------------
@dataclass
class Recipient:
    address: str
    name: str | None
    source: str  # mail:<message id> | job:<key>
    certain: bool


def _recruiter(conn: Any, app: dict[str, Any]) -> Recipient | None:
    """A person at the employer who is known to be about this application, if any."""
    from core.outcomes.mail import is_automated_sender

    rows = conn.execute("""SELECT id, sender, reply_to, status FROM mail_messages
                            WHERE application_id = %s AND status IN ('pending', 'confirmed')
                            ORDER BY (status = 'confirmed') DESC, id DESC""", (app["id"],)).fetchall()
    for r in rows:
        for addr in ((r["reply_to"] or "").strip().lower(), (r["sender"] or "").strip().lower()):
            if addr and _EMAIL.match(addr) and not is_automated_sender(addr):
                return Recipient(addr, None, f"mail:{r['id']}", r["status"] == "confirmed")
    raw = app.get("raw") or {}
    for key in JOB_CONTACT_KEYS:
        value = raw.get(key) if isinstance(raw, dict) else None
        if isinstance(value, str) and _EMAIL.match(value.strip()):
            return Recipient(value.strip().lower(), None, f"job:{key}", True)
    return None


def compose(kind: str, *, candidate_name: str, job_title: str, company: str, applied_on: date,
            business_days: int) -> tuple[str, str]:
    """(subject, body) of a follow-up. Only the application's own facts appear in it."""
    title = job_title or "the open role"
    firm = company or "your company"
    when = applied_on.strftime("%d %B %Y").lstrip("0")
    if kind == "recruiter":
        subject = f"Following up on my application for {title}"
        body = (f"Hello,\n\nI applied for the {title} position at {firm} on {when} and wanted to follow up. "
                f"I am still very interested in the role and would be glad to share anything else that helps "
                f"with your decision.\n\nThank you for your time.\n\nBest regards,\n{candidate_name}".rstrip())
    else:
        subject = f"No reply yet from {firm} about {title}"
        body = (f"Hi {candidate_name.split()[0] if candidate_name else 'there'},\n\nYou applied for {title} at {firm} "
                f"on {when}, {business_days} business days ago, and no reply has come in yet. If you know someone "
                "there, a short note can help. If you have heard back, tell us and we will stop reminding you.")
    return subject, body


def _policy(conn: Any, settings: Settings, app: dict[str, Any]) -> str:
    site_policy = settings.apply.site_policies.get(app.get("site") or "")
    known = [p for p in (app.get("apply_policy") or settings.apply.default_policy, site_policy) if p in POLICY_ORDER]
    return max(known, key=lambda p: POLICY_ORDER[p]) if known else "when_uncertain"


def draft(db: Database, settings: Settings, cipher: Cipher, application_id: int, seq: int,
          now: datetime | None = None) -> dict[str, Any]:
    """The follow-up of ``seq`` for an application (written once; a second call returns the first)."""
    tz = ZoneInfo(settings.timezone)
    now = now or datetime.now(UTC)
    with db.transaction() as conn:
        existing = conn.execute("SELECT * FROM followups WHERE application_id = %s AND seq = %s",
                                (application_id, seq)).fetchone()
        if existing is not None:
            return _public(cipher, existing, created=False)
        app = conn.execute("""SELECT a.id, a.candidate_id, a.job_id, a.status, a.submitted_at, c.full_name,
                                     c.apply_policy, j.title, j.company, j.site, j.raw
                                FROM applications a JOIN candidates c ON c.id = a.candidate_id
                                JOIN jobs j ON j.id = a.job_id WHERE a.id = %s""", (application_id,)).fetchone()
        if app is None:
            raise NotFound(f"no application with id {application_id}")
        rec = _recruiter(conn, app)
        kind = "recruiter" if rec is not None else "candidate_reminder"
        applied = (app["submitted_at"] or now).astimezone(tz).date()
        bdays = business_days_between(applied, now.astimezone(tz).date(), holidays_of(settings))
        subject, body = compose(kind, candidate_name=app["full_name"] or "", job_title=app["title"] or "",
                                company=app["company"] or "", applied_on=applied, business_days=bdays)
        policy = _policy(conn, settings, app)
        hold = None
        if kind == "recruiter" and policy == "always":
            hold = "policy 'always': every follow-up to a recruiter waits for an operator's approval"
        elif kind == "recruiter" and policy == "when_uncertain" and rec is not None and not rec.certain:
            hold = "the recruiter's address comes from a message an operator has not confirmed yet"
        row = conn.execute(
            """INSERT INTO followups (application_id, candidate_id, seq, kind, recipient_enc, subject, body_enc,
                                      status, reason)
               VALUES (%s, %s, %s, %s, %s, %s, %s, 'draft', %s)
               ON CONFLICT (application_id, seq) DO NOTHING RETURNING *""",
            (application_id, app["candidate_id"], seq, kind,
             cipher.encrypt(rec.address, context=_RECIPIENT_CONTEXT) if rec else None, subject,
             cipher.encrypt(body, context=_BODY_CONTEXT), hold)).fetchone()
        if row is None:  # a concurrent draft of the same period won
            row = conn.execute("SELECT * FROM followups WHERE application_id = %s AND seq = %s",
                               (application_id, seq)).fetchone()
            if row is None:
                raise NotFound(f"follow-up {seq} of application {application_id} vanished while being drafted")
            return _public(cipher, row, created=False)
        queue.add_event(conn, f"follow-up {seq} drafted ({kind})", agent=AGENT, candidate_id=app["candidate_id"],
                        job_id=app["job_id"], application_id=application_id,
                        data={"followup_id": row["id"], "kind": kind, "policy": policy,
                              "recipient_source": rec.source if rec else None})
    out = _public(cipher, row, created=True)
    out.update({"policy": policy, "hold": hold, "recipient_source": rec.source if rec else None})
    return out


def _public(cipher: Cipher, row: dict[str, Any], *, created: bool) -> dict[str, Any]:
    return {"id": row["id"], "application_id": row["application_id"], "candidate_id": row["candidate_id"],
            "seq": row["seq"], "kind": row["kind"], "status": row["status"], "subject": row["subject"],
            "recipient": cipher.decrypt(row["recipient_enc"], context=_RECIPIENT_CONTEXT),
            "body": cipher.decrypt(row["body_enc"], context=_BODY_CONTEXT), "reason": row["reason"],
            "created": created, "hold": row["reason"] if row["status"] == "draft" else None}


def set_status(db: Database, followup_id: int, status: str, *, task_id: int | None = None,
               reason: str | None = None) -> None:
    with db.transaction() as conn:
        conn.execute("""UPDATE followups SET status = %s, task_id = COALESCE(%s, task_id),
                               reason = COALESCE(%s, reason), updated_at = now(),
                               sent_at = CASE WHEN %s = 'sent' THEN now() ELSE sent_at END WHERE id = %s""",
                     (status, task_id, reason, status, followup_id))


def still_wanted(db: Database, application_id: int) -> str | None:
    """Why a follow-up should no longer go out (an outcome came in, or the application is no longer
    submitted), or None."""
    row = db.one("""SELECT a.status, (SELECT kind FROM outcomes o WHERE o.application_id = a.id
                                         AND o.status = 'confirmed' ORDER BY id DESC LIMIT 1) AS outcome
                      FROM applications a WHERE a.id = %s""", (application_id,))
    if row is None:
        return f"application {application_id} no longer exists"
    if row["outcome"]:
        return f"outcome {row['outcome']} recorded"
    if row["status"] != "submitted":
        return f"application is {row['status']}"
    return None


def list_followups(db: Database, cipher: Cipher, *, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    rows = db.execute("""SELECT * FROM followups WHERE (%(s)s::text IS NULL OR status = %(s)s)
                          ORDER BY id DESC LIMIT %(n)s""", {"s": status, "n": limit})
    return [_public(cipher, r, created=False) for r in rows]


def cancel(db: Database, application_id: int, seq: int, reason: str) -> None:
    """Stop a follow-up that is no longer wanted (nothing is sent)."""
    with db.transaction() as conn:
        conn.execute("""UPDATE followups SET status = 'cancelled', reason = %s, updated_at = now()
                         WHERE application_id = %s AND seq = %s AND status IN ('draft', 'awaiting_approval')""",
                     (reason, application_id, seq))


MAX_SUBJECT, MAX_BODY = 200, 5_000


def _edited(fu: dict[str, Any], edits: dict[str, Any]) -> tuple[str, str]:
    from core.errors import InvalidInput
    from core.safetext import clean

    subject, body = fu["subject"], fu["body"]
    unknown = [k for k in edits if k not in ("subject", "body")]
    if unknown:
        raise InvalidInput(f"a follow-up's approval may edit subject and body only, not {unknown[0]!r}")
    if "subject" in edits:
        subject = clean(edits["subject"]).strip()[:MAX_SUBJECT] or subject
    if "body" in edits:
        body = clean(edits["body"], keep_newlines=True).strip()[:MAX_BODY] or body
    return subject, body


def hand_over(db: Database, settings: Settings, cipher: Cipher, followup_id: int, *, task: Any = None,
              edits: dict[str, Any] | None = None) -> dict[str, Any]:
    """Send an approved (or not held) follow-up through the notifications outbox, exactly once.

    In one transaction, fenced by the task's lease: the follow-up becomes ``queued`` and its outbox row is
    written, keyed ``application:<id>:<template>:followup<seq>:<channel>`` (one per application and period).
    A note to the recruiter is an email to the employer's address from the candidate's sender identity
    (template ``employer_follow_up``, the follow-up's own subject and body); a reminder goes to the candidate
    by their channels (``follow_up_reminder``). The ``notify`` agent sends it under the outbox's rules (a
    marker before the provider call, a crash after it goes to a person) and marks the follow-up ``sent`` in
    the transaction that records the provider's acceptance (:func:`sent_by_notification`).
    """
    from core.notify import outbox

    row = db.one("SELECT * FROM followups WHERE id = %s", (followup_id,))
    if row is None:
        raise NotFound(f"no follow-up with id {followup_id}")
    fu = _public(cipher, row, created=False)
    subject, body = _edited(fu, edits or {})
    tz = ZoneInfo(settings.timezone)
    with db.transaction() as conn:
        if task is not None:
            queue.assert_lease(conn, task)
        updated = conn.execute(
            """UPDATE followups SET status = 'queued', subject = %s, body_enc = %s, task_id = COALESCE(%s, task_id),
                      reason = %s, updated_at = now() WHERE id = %s AND status IN ('draft', 'awaiting_approval', 'ready')
            RETURNING id""",
            (subject, cipher.encrypt(body, context=_BODY_CONTEXT), getattr(task, "id", None),
             "queued in the notifications outbox", followup_id)).fetchone()
        if updated is None:  # cancelled meanwhile, or already queued by an earlier run
            current = conn.execute("SELECT status, notification_id FROM followups WHERE id = %s",
                                   (followup_id,)).fetchone() or {"status": "gone", "notification_id": None}
            return {"followup_id": followup_id, "application_id": fu["application_id"], "seq": fu["seq"],
                    "kind": fu["kind"], "status": current["status"], "notification_id": current["notification_id"],
                    "subject": subject, "edited": sorted((edits or {}).keys()), "created": False}
        period = f"followup{fu['seq']}"
        if fu["kind"] == "recruiter":
            queued = outbox.notify(conn, template="employer_follow_up", candidate_id=fu["candidate_id"],
                                   application_id=fu["application_id"], period=period, channels=["email"],
                                   recipient_enc=row["recipient_enc"], followup_id=followup_id,
                                   context={"followup_id": followup_id, "seq": fu["seq"]})
        else:
            app = conn.execute("SELECT submitted_at FROM applications WHERE id = %s", (fu["application_id"],)).fetchone()
            applied = ((app or {}).get("submitted_at") or datetime.now(UTC)).astimezone(tz).date()
            days = business_days_between(applied, datetime.now(tz).date(), holidays_of(settings))
            queued = outbox.notify(conn, template="follow_up_reminder", candidate_id=fu["candidate_id"],
                                   application_id=fu["application_id"], period=period, followup_id=followup_id,
                                   context={"followup_id": followup_id, "seq": fu["seq"], "business_days": days,
                                            "applied_on": applied.strftime("%d %B %Y").lstrip("0")})
        first = next((q for q in queued if q.status == "pending"), queued[0] if queued else None)
        conn.execute("UPDATE followups SET notification_id = %s WHERE id = %s",
                     (first.id if first else None, followup_id))
        if first is None or all(q.status == "suppressed" for q in queued):
            conn.execute("""UPDATE followups SET status = 'cancelled', reason = %s, updated_at = now()
                             WHERE id = %s""", ("the candidate opted out of every channel", followup_id))
        queue.add_event(conn, f"follow-up {fu['seq']} queued to send ({fu['kind']})", agent=AGENT,
                        candidate_id=fu["candidate_id"], application_id=fu["application_id"],
                        data={"followup_id": followup_id, "edited": sorted((edits or {}).keys()),
                              "notifications": [q.id for q in queued]})
    return {"followup_id": followup_id, "application_id": fu["application_id"], "seq": fu["seq"], "kind": fu["kind"],
            "status": "queued", "notification_id": first.id if first else None, "subject": subject,
            "edited": sorted((edits or {}).keys()), "created": True}


def why_not_sending(conn: Any, followup_id: int | None) -> str | None:
    """Why the outbox row of a follow-up must not go out now (cancelled by an outcome, ...), or None."""
    if followup_id is None:
        return "an employer's message without its follow-up"
    row = conn.execute("SELECT status, reason FROM followups WHERE id = %s FOR UPDATE", (followup_id,)).fetchone()
    if row is None:
        return f"follow-up {followup_id} no longer exists"
    if row["status"] != "queued":
        return f"follow-up {followup_id} is {row['status']}" + (f" ({row['reason']})" if row["reason"] else "")
    return None


def for_sending(conn: Any, cipher: Cipher, followup_id: int) -> dict[str, str]:
    """The subject and body the employer gets (decrypted for the one send, never stored in the outbox)."""
    row = conn.execute("SELECT subject, body_enc FROM followups WHERE id = %s", (followup_id,)).fetchone()
    if row is None:
        raise NotFound(f"no follow-up with id {followup_id}")
    return {"subject": row["subject"], "body": cipher.decrypt(row["body_enc"], context=_BODY_CONTEXT) or ""}


def sent_by_notification(conn: Any, followup_id: int, notification_id: int, provider_ref: str) -> bool:
    """In the transaction that records the provider's acceptance: the follow-up is ``sent`` (once, whichever
    of its rows went first), an event says so, and a note to a recruiter queues the candidate's
    ``follow_up_sent`` message. Returns whether this call marked it."""
    row = conn.execute(
        """UPDATE followups SET status = 'sent', sent_at = now(), updated_at = now(), notification_id = %s,
                  reason = %s WHERE id = %s AND status IN ('queued', 'ready')
        RETURNING application_id, candidate_id, seq, kind""",
        (notification_id, f"sent (notification {notification_id}, {provider_ref})"[:300], followup_id)).fetchone()
    if row is None:
        return False
    to = "the recruiter" if row["kind"] == "recruiter" else "you"
    queue.add_event(conn, f"follow-up {row['seq']} sent to {to}", agent=AGENT, candidate_id=row["candidate_id"],
                    application_id=row["application_id"],
                    data={"followup_id": followup_id, "notification_id": notification_id, "kind": row["kind"],
                          "provider_ref": provider_ref})
    if row["kind"] == "recruiter":
        from core.notify import triggers

        triggers.on_follow_up_sent(conn, row["application_id"], to="the recruiter", number=row["seq"])
    return True


def mark_sent(db: Database, followup_id: int, *, provider_ref: str | None = None) -> None:
    """A sender's acknowledgement: the follow-up went out (recorded once)."""
    with db.transaction() as conn:
        row = conn.execute("""UPDATE followups SET status = 'sent', sent_at = now(), updated_at = now(),
                                     reason = %s WHERE id = %s AND status = 'ready' RETURNING application_id, seq""",
                           (f"sent ({provider_ref})" if provider_ref else "sent", followup_id)).fetchone()
        if row is None:
            raise NotFound(f"follow-up {followup_id} is not ready to send")
