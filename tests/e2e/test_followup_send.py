"""An approved follow-up reaches the recruiter, by email through the notifications outbox, exactly once, from
the candidate's sender identity; the candidate hears that it went; a reminder goes to the candidate by their
channel. Real runner, real Postgres, real SMTP (aiosmtpd) on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, time
from email.utils import parseaddr

import pytest

from core import queue
from core.crypto import load_cipher
from core.errors import InvalidInput
from core.models import NewTask
from core.notify import prefs
from core.outcomes import followups
from runners.runner import run_until_idle
from tests.support.common import settings_with
from tests.support.outcomes import add_application, add_candidate, add_job, business_days_ago
from tests.support.wa_fakes import SmtpSink

RECRUITER = "rahul.menon@acmepayments.com"
CANDIDATE = "priya.sharma@example.in"




@pytest.fixture
def smtp(monkeypatch):
    sink = SmtpSink().start()
    for k, v in {"SMTP_SERVER": "127.0.0.1", "SMTP_PORT": str(sink.port), "SENDER_EMAIL": "talvix@example.test",
                 "SMTP_SECURITY": "none"}.items():
        monkeypatch.setenv(k, v)
    for k in ("WA_PROVIDER", "WA_GATEWAY_URL", "WA_CLOUD_PHONE_NUMBER_ID"):
        monkeypatch.delenv(k, raising=False)
    yield sink
    sink.stop()


def _world(db, cipher, policy: str):
    with db.transaction() as conn:
        cid = add_candidate(conn, cipher, "Priya Sharma", CANDIDATE, policy=policy)
        rec = add_application(conn, cid, add_job(conn, "t:rec", "Acme Payments", "Backend Engineer",
                                                 "https://acme.example/jobs/1", raw={"recruiter_email": RECRUITER}),
                              submitted_at=business_days_ago(8))
        alone = add_application(conn, cid, add_job(conn, "t:alone", "Globex", "Data Engineer",
                                                   "https://globex.example/jobs/2"),
                                submitted_at=business_days_ago(9))
        prefs.save(conn, cid, quiet_start=time(0, 0), quiet_end=time(0, 0), channels=["email"])
    return cid, rec, alone


def _sweep(settings, db):
    queue.enqueue(db, NewTask("follow_up", {"sweep": True}, key=f"sweep-{datetime.now(UTC).timestamp()}"))
    run_until_idle(settings, db, agents=["follow_up", "notify"], concurrency=2, timeout_s=90)


def test_an_approved_follow_up_is_emailed_to_the_recruiter_once_from_the_candidate(settings, db, smtp):
    cipher = load_cipher(settings)
    cid, rec, alone = _world(db, cipher, policy="always")
    _sweep(settings, db)

    # The reminder to the candidate is not held: it went to the candidate by their channel (email).
    reminder = [m for m in smtp.messages if m["To"] == CANDIDATE]
    assert len(reminder) == 1 and "No reply yet from Globex" in reminder[0]["Subject"]
    assert db.one("SELECT status FROM followups WHERE application_id = %s", (alone,))["status"] == "sent"
    # The note to the recruiter waits for an operator: nothing went to the employer.
    held = db.one("SELECT id, status FROM tasks WHERE idempotency_key = %s", (f"follow_up:{rec}:1",))
    assert held["status"] == "awaiting_approval" and not [m for m in smtp.messages if m["To"] == RECRUITER]

    body = "Hello Rahul,\n\nI applied for the Backend Engineer role and would love to hear back.\n\nPriya Sharma"
    queue.approve(db, held["id"], who="op@host", edits={"body": body}, cipher=cipher)  # as talvix approve does
    run_until_idle(settings, db, agents=["follow_up", "notify"], concurrency=2, timeout_s=90)

    [note] = [m for m in smtp.messages if m["To"] == RECRUITER]
    assert parseaddr(note["From"]) == ("Priya Sharma", "talvix@example.test")  # the relay signs, in her name
    assert note["Reply-To"] == CANDIDATE  # the recruiter's answer reaches her
    assert note["Subject"] == "Following up on my application for Backend Engineer"
    text = next(p for p in note.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert text.replace("\r\n", "\n").strip() == body  # the approved edit, line breaks kept
    fu = db.one("SELECT id, status, notification_id, sent_at FROM followups WHERE application_id = %s", (rec,))
    assert fu["status"] == "sent" and fu["sent_at"] is not None
    n = db.one("SELECT * FROM notifications WHERE id = %s", (fu["notification_id"],))
    assert n["status"] == "sent" and n["audience"] == "employer" and n["provider_ref"] == note["Message-ID"].strip("<>")
    assert n["idempotency_key"] == f"application:{rec}:employer_follow_up:followup1:email"
    assert RECRUITER.encode() not in bytes(n["recipient_enc"]), "the employer's address is encrypted at rest"
    assert db.one("SELECT 1 AS x FROM events WHERE application_id = %s AND message = 'follow-up 1 sent to the recruiter'",
                  (rec,))
    # The candidate hears that it went, by her channel.
    told = [m for m in smtp.messages if m["To"] == CANDIDATE and m["Subject"].startswith("Follow-up sent")]
    assert len(told) == 1 and "Backend Engineer" in told[0]["Subject"]

    # Exactly once: another sweep, a rerun of the period's task and a second hand-over send nothing more.
    count = len(smtp.messages)
    _sweep(settings, db)
    again = followups.hand_over(db, settings, cipher, fu["id"])
    assert again["created"] is False and again["status"] == "sent"
    run_until_idle(settings, db, agents=["follow_up", "notify"], concurrency=2, timeout_s=90)
    assert len(smtp.messages) == count
    assert db.one("SELECT count(*) AS n FROM notifications WHERE followup_id = %s", (fu["id"],))["n"] == 1


def test_an_outcome_recorded_after_the_note_was_queued_stops_it(settings, db, smtp):
    from core.outcomes import records

    cipher = load_cipher(settings)
    cid, rec, alone = _world(db, cipher, policy="never")
    queue.enqueue(db, NewTask("follow_up", {"sweep": True}))
    run_until_idle(settings, db, agents=["follow_up"], concurrency=2, timeout_s=90)  # queued, not yet sent
    fu = db.one("SELECT id, status, notification_id FROM followups WHERE application_id = %s", (rec,))
    assert fu["status"] == "queued"
    records.record_outcome(db, cipher, rec, "rejected")
    run_until_idle(settings, db, agents=["notify"], concurrency=2, timeout_s=90)
    assert not [m for m in smtp.messages if m["To"] == RECRUITER]
    n = db.one("SELECT status, error FROM notifications WHERE id = %s", (fu["notification_id"],))
    assert n["status"] == "suppressed" and "cancelled" in n["error"] and "outcome rejected recorded" in n["error"]


def test_the_candidates_own_address_as_sender_when_the_relay_may_send_as_them(settings, db, smtp):
    s = settings_with(settings, outcomes={"followup_from": "candidate"})
    cipher = load_cipher(s)
    cid, rec, alone = _world(db, cipher, policy="never")
    _sweep(s, db)
    [note] = [m for m in smtp.messages if m["To"] == RECRUITER]
    assert parseaddr(note["From"]) == ("Priya Sharma", CANDIDATE) and note["Reply-To"] is None
    assert smtp.envelopes[[m["To"] for m in smtp.messages].index(RECRUITER)][0] == CANDIDATE


def test_a_note_whose_answer_was_lost_goes_to_a_person_and_resolving_it_marks_the_follow_up_sent(settings, db,
                                                                                                  monkeypatch):
    from core.errors import NeedsHuman
    from core.notify import outbox
    from core.notify.sender import deliver
    from tests.support.notify_setup import claim_notify

    sink = SmtpSink(drop_after_data=True).start()  # the relay takes the message, the answer never comes
    try:
        for k, v in {"SMTP_SERVER": "127.0.0.1", "SMTP_PORT": str(sink.port), "SENDER_EMAIL": "talvix@example.test",
                     "SMTP_SECURITY": "none"}.items():
            monkeypatch.setenv(k, v)
        cipher = load_cipher(settings)
        cid, rec, alone = _world(db, cipher, policy="never")
        queue.enqueue(db, NewTask("follow_up", {"sweep": True}))
        run_until_idle(settings, db, agents=["follow_up"], concurrency=2, timeout_s=90)
        fu = db.one("SELECT id, notification_id FROM followups WHERE application_id = %s", (rec,))
        db.execute("UPDATE tasks SET run_at = now() + interval '1 hour' WHERE agent = 'notify' AND payload->>'notification_id' <> %s",
                   (str(fu["notification_id"]),))
        with pytest.raises(NeedsHuman, match="never sent twice"):
            deliver(db, settings, fu["notification_id"], claim_notify(db))
        assert db.one("SELECT status FROM followups WHERE id = %s", (fu["id"],))["status"] == "queued"
        outbox.resolve_unknown(db, fu["notification_id"], sent=True, who="op@host")
        assert db.one("SELECT status FROM followups WHERE id = %s", (fu["id"],))["status"] == "sent"
    finally:
        sink.stop()


def test_a_note_skipped_for_want_of_smtp_is_sent_once_when_the_operator_sends_it_again(settings, db, smtp,
                                                                                       monkeypatch):
    from core.notify import outbox

    cipher = load_cipher(settings)
    cid, rec, alone = _world(db, cipher, policy="never")
    port = smtp.port
    monkeypatch.delenv("SMTP_SERVER")  # SMTP is not set up on this host yet
    _sweep(settings, db)
    fu = db.one("SELECT id, status, notification_id FROM followups WHERE application_id = %s", (rec,))
    n = db.one("SELECT status, error FROM notifications WHERE id = %s", (fu["notification_id"],))
    assert fu["status"] == "queued" and n["status"] == "skipped" and "SMTP_SERVER" in n["error"]
    assert smtp.messages == []
    monkeypatch.setenv("SMTP_SERVER", "127.0.0.1")  # the operator sets it, then sends the note again
    assert port == smtp.port
    outbox.retry(db, fu["notification_id"], who="op@host")
    run_until_idle(settings, db, agents=["notify"], concurrency=2, timeout_s=90)
    assert len([m for m in smtp.messages if m["To"] == RECRUITER]) == 1
    assert db.one("SELECT status FROM followups WHERE id = %s", (fu["id"],))["status"] == "sent"
    assert db.one("SELECT status FROM notifications WHERE id = %s", (fu["notification_id"],))["status"] == "sent"
    with pytest.raises(InvalidInput, match="is sent"):
        outbox.retry(db, fu["notification_id"], who="op@host")
