"""Follow-ups through the real queue and runner: the sweep finds what is due in business days, each
application gets at most one per period, the approval policy holds notes to recruiters, and an outcome
stops them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import queue
from core.crypto import load_cipher
from core.models import NewTask
from core.outcomes import followups, records
from runners.runner import run_until_idle
from tests.support.outcomes import add_application, add_candidate, add_job, business_days_ago


@pytest.fixture
def cipher(settings):
    return load_cipher(settings)




def setup(db, cipher, policy: str = "when_uncertain"):
    with db.transaction() as conn:
        cid = add_candidate(conn, cipher, "Priya Sharma", "priya.sharma@example.in", policy=policy)
        ids = {}
        for key, days, raw in (("due", 8, None), ("recent", 3, None), ("recruiter", 9, {"recruiter_email": "Rahul.Menon@AcmePayments.com"}),
                               ("twice", 15, None), ("answered", 12, None)):
            jid = add_job(conn, f"t:{key}", f"Company {key}", f"Engineer {key}", f"https://{key}.example/jobs/1", raw=raw)
            ids[key] = add_application(conn, cid, jid, submitted_at=business_days_ago(days))
        jid = add_job(conn, "t:draft", "Company draft", "Engineer", "https://draft.example/jobs/1")
        ids["not_sent"] = add_application(conn, cid, jid, status="ready", submitted_at=None)
    records.record_outcome(db, cipher, ids["answered"], "rejected")
    return cid, ids


def sweep_once(settings, db):
    task, _ = queue.enqueue(db, NewTask("follow_up", {"sweep": True}))
    run_until_idle(settings, db, agents=["follow_up"], concurrency=2, timeout_s=60)
    return queue.get_task(db, task.id)


def test_the_sweep_follows_up_once_per_period_in_business_days(settings, db, cipher):
    _, ids = setup(db, cipher)
    swept = sweep_once(settings, db)
    assert swept.status == "succeeded" and swept.result == {"due": 3}
    rows = {r["application_id"]: r for r in db.execute("SELECT * FROM followups")}
    assert set(rows) == {ids["due"], ids["recruiter"], ids["twice"]}, "3 business days is too early; an outcome stops it"
    assert rows[ids["twice"]]["seq"] == 2, "15 business days is the second period of 7"
    assert rows[ids["due"]]["kind"] == "candidate_reminder" and rows[ids["due"]]["status"] == "queued"
    rec = rows[ids["recruiter"]]
    assert rec["kind"] == "recruiter" and rec["status"] == "queued"  # an address from the job: certain, not held
    # queued in the outbox: the note to the employer by email, the reminder by the candidate's channels
    sent = {(r["application_id"], r["channel"]): r for r in db.execute(
        "SELECT application_id, channel, template, audience, followup_id, idempotency_key FROM notifications")}
    assert sent[(ids["recruiter"], "email")]["audience"] == "employer"
    assert sent[(ids["recruiter"], "email")]["idempotency_key"] == \
        f"application:{ids['recruiter']}:employer_follow_up:followup1:email"
    assert (ids["recruiter"], "whatsapp") not in sent
    assert {sent[(ids["due"], c)]["template"] for c in ("whatsapp", "email")} == {"follow_up_reminder"}
    assert sent[(ids["due"], "email")]["followup_id"] == rows[ids["due"]]["id"]
    shown = {f["application_id"]: f for f in followups.list_followups(db, cipher)}
    assert shown[ids["recruiter"]]["recipient"] == "rahul.menon@acmepayments.com"
    assert "Engineer recruiter position at Company recruiter" in shown[ids["recruiter"]]["body"]
    assert b"Company recruiter" not in bytes(rec["body_enc"]), "the body is encrypted at rest"

    # the next sweep (same period) writes nothing new; nor does a rerun of a period's task
    again = sweep_once(settings, db)
    assert again.result == {"due": 0}
    assert db.one("SELECT count(*) AS n FROM followups")["n"] == 3
    t, created = queue.enqueue(db, NewTask("follow_up", {"application_id": ids["due"], "seq": 1}, key=f"follow_up:{ids['due']}:1"))
    assert not created


def test_the_next_period_gets_the_next_follow_up_and_the_maximum_holds(settings, db, cipher):
    _, ids = setup(db, cipher)
    sweep_once(settings, db)
    later = datetime.now(UTC) + timedelta(days=14)  # two weeks on: ten more business days
    due = followups.sweep(db, settings, now=later)
    by_app = {t.application_id: t.payload["seq"] for t in due}
    assert by_app == {ids["due"]: 2, ids["recruiter"]: 2, ids["recent"]: 1, ids["twice"]: 3}
    assert all(t.key == f"follow_up:{t.application_id}:{t.payload['seq']}" for t in due)
    for t in due:
        followups.draft(db, settings, cipher, t.application_id, t.payload["seq"], now=later)
    # a sweep that did not run for a while sends one for the current period, and followup_max (2) holds
    much_later = datetime.now(UTC) + timedelta(days=42)
    assert {t.application_id: t.payload["seq"] for t in followups.sweep(db, settings, now=much_later)} == \
        {ids["recent"]: 4}  # 3 + 30 business days: period 4, its second follow-up


def test_policy_always_holds_a_recruiter_note_for_approval_and_approval_may_edit_it(settings, db, cipher):
    _, ids = setup(db, cipher, policy="always")
    sweep_once(settings, db)
    held = db.one("SELECT * FROM tasks WHERE idempotency_key = %s", (f"follow_up:{ids['recruiter']}:1",))
    assert held["status"] == "awaiting_approval"
    assert held["result"]["follow_up"]["recipient"] == "rahul.menon@acmepayments.com"
    assert "policy 'always'" in held["last_error"]
    fu = db.one("SELECT status FROM followups WHERE application_id = %s", (ids["recruiter"],))
    assert fu["status"] == "awaiting_approval"
    # the reminder to the candidate speaks to the candidate, not in their name: not held
    assert db.one("SELECT status FROM followups WHERE application_id = %s", (ids["due"],))["status"] == "queued"

    queue.approve(db, held["id"], who="op@host", edits={"body": "Hello Rahul,\n\nA short, edited note.\n\nPriya"})
    run_until_idle(settings, db, agents=["follow_up"], timeout_s=60)
    done = queue.get_task(db, held["id"])
    assert done.status == "succeeded" and done.result["edited"] == ["body"]
    shown = {f["application_id"]: f for f in followups.list_followups(db, cipher)}
    assert shown[ids["recruiter"]]["status"] == "queued"
    assert shown[ids["recruiter"]]["body"] == "Hello Rahul,\n\nA short, edited note.\n\nPriya"


def test_an_outcome_after_the_draft_cancels_it(settings, db, cipher):
    _, ids = setup(db, cipher, policy="always")
    sweep_once(settings, db)
    held = db.one("SELECT id FROM tasks WHERE idempotency_key = %s", (f"follow_up:{ids['recruiter']}:1",))
    records.record_outcome(db, cipher, ids["recruiter"], "interview")
    fu = db.one("SELECT status, reason FROM followups WHERE application_id = %s", (ids["recruiter"],))
    assert fu == {"status": "cancelled", "reason": "outcome interview recorded"}
    queue.approve(db, held["id"], who="op@host")
    run_until_idle(settings, db, agents=["follow_up"], timeout_s=60)
    done = queue.get_task(db, held["id"])
    assert done.result["status"] == "cancelled" and done.result["reason"] == "outcome interview recorded"


def test_a_recruiter_who_wrote_is_used_and_an_unconfirmed_one_is_held(settings, db, cipher):
    _, ids = setup(db, cipher)
    with db.transaction() as conn:
        conn.execute("""INSERT INTO mail_messages (mailbox, uidvalidity, uid, sender, sender_domain, reply_to,
                                                   application_id, classification, status)
                        VALUES ('shared', 1, 1, 'no-reply@hire.lever.co', 'hire.lever.co', 'meera.iyer@zenloop.io',
                                %s, 'confirmation', 'pending')""", (ids["due"],))
    sweep_once(settings, db)
    held = db.one("SELECT status, result FROM tasks WHERE idempotency_key = %s", (f"follow_up:{ids['due']}:1",))
    assert held["status"] == "awaiting_approval"
    assert held["result"]["follow_up"]["recipient"] == "meera.iyer@zenloop.io"
    assert held["result"]["follow_up"]["kind"] == "recruiter"


def test_payloads_are_checked_at_the_door():
    from agents import get_agent
    from core.agent import check_payload
    from core.errors import InvalidInput

    agent = get_agent("follow_up")
    check_payload(agent, {"sweep": True})
    check_payload(agent, {"application_id": 3, "seq": 1})
    with pytest.raises(InvalidInput, match="either sweep=true or an application_id"):
        check_payload(agent, {})
    with pytest.raises(InvalidInput, match="needs seq >= 1"):
        check_payload(agent, {"application_id": 3})
