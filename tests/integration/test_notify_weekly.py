"""The weekly summary is scheduled: one task per ISO week however many hosts fire it, and one message per
candidate per week however often that task runs."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from core.notify import prefs, triggers
from runners.runner import run_until_idle
from runners.scheduler import Scheduler, load_schedules
from tests.support.notify_setup import add_application, add_candidate
from tests.support.wa_fakes import FakeWhatsApp

IST = ZoneInfo("Asia/Kolkata")


@pytest.fixture
def waha(monkeypatch):
    server = FakeWhatsApp("waha").start()
    for k, v in {**server.env(), "TALVIX_NOTIFY_WHATSAPP_PER_MINUTE": "100"}.items():
        monkeypatch.setenv(k, v)
    yield server
    server.stop()


def test_the_weekly_summary_is_a_default_schedule_of_the_notify_agent(settings):
    rows = {s.name: s for s in load_schedules(settings)}
    weekly = rows["weekly_summary"]
    assert (weekly.agent, weekly.payload, weekly.active) == ("notify", {"weekly_summary": True}, True)
    assert weekly.cron == "0 10 * * 1"


def test_iso_week_is_taken_in_the_configured_timezone():
    # Sunday 20:00 UTC is already Monday in India: the next ISO week.
    assert triggers.iso_week(datetime(2026, 11, 29, 20, 0, tzinfo=ZoneInfo("UTC")), "Asia/Kolkata") == "2026-W49"
    assert triggers.iso_week(datetime(2026, 11, 29, 20, 0, tzinfo=ZoneInfo("UTC")), "UTC") == "2026-W48"


def test_each_active_candidate_gets_one_summary_per_iso_week(settings, db, waha):
    asha = add_candidate(db, settings)
    ravi = add_candidate(db, settings, name="Ravi Kumar", email="ravi@example.test", phone="+91 98450 11111")
    paused = add_candidate(db, settings, name="Paused Person", email="p@example.test", phone="+91 98450 22222")
    db.execute("UPDATE candidates SET status = 'paused' WHERE id = %s", (paused,))
    add_application(db, asha)
    with db.transaction() as conn:
        for cid in (asha, ravi, paused):
            prefs.save(conn, cid, quiet_start=time(0, 0), quiet_end=time(0, 0), channels=["whatsapp"])

    monday = datetime(2026, 11, 30, 10, 0, 5, tzinfo=IST)
    first, created = Scheduler(settings, db).run_schedule("weekly_summary", now=monday)
    again, created_again = Scheduler(settings, db).run_schedule("weekly_summary", now=monday)  # a second host
    assert created and not created_again and first.id == again.id
    run_until_idle(settings, db, ["notify"], concurrency=2, timeout_s=60)

    rows = db.execute("SELECT candidate_id, idempotency_key, status FROM notifications ORDER BY candidate_id")
    assert [(r["candidate_id"], r["idempotency_key"], r["status"]) for r in rows] == [
        (asha, f"candidate:{asha}:weekly_summary:2026-W49:whatsapp", "sent"),
        (ravi, f"candidate:{ravi}:weekly_summary:2026-W49:whatsapp", "sent"),
    ]
    assert sorted(m["to"] for m in waha.state.sent) == ["919845011111", "919876543210"]
    assert db.one("SELECT result FROM tasks WHERE id = %s", (first.id,))["result"]["queued"] == 2

    # The same week queued again (a retried or hand-run task) sends nothing more.
    assert triggers.weekly_summaries(db, "2026-W49") == {"week": "2026-W49", "candidates": 2, "queued": 0,
                                                         "already": 2}
    run_until_idle(settings, db, ["notify"], concurrency=2, timeout_s=60)
    assert len(waha.state.sent) == 2

    # The next Monday is the next ISO week: a new task and one more message each.
    nxt, created_next = Scheduler(settings, db).run_schedule("weekly_summary",
                                                             now=datetime(2026, 12, 7, 10, 1, tzinfo=IST))
    assert created_next and nxt.id != first.id
    run_until_idle(settings, db, ["notify"], concurrency=2, timeout_s=60)
    assert len(waha.state.sent) == 4
    assert db.one("SELECT count(*) AS n FROM notifications WHERE period = '2026-W50'")["n"] == 2
