"""Exactly one message per key through a runner crash at each step: before the provider call, after the
provider accepted the message, after the commit. Real ``talvix runner`` processes, SIGKILLed at a point the
test holds them at (a row lock, or the provider holding its answer)."""

from __future__ import annotations

import threading
from datetime import time

import psycopg
import pytest

from core.notify import outbox, prefs
from tests.support.notify_runner import Runner, wait_until
from tests.support.notify_setup import PHONE_DIGITS, add_application, add_candidate
from tests.support.wa_fakes import FakeWhatsApp


@pytest.fixture
def waha():
    server = FakeWhatsApp("waha").start()
    yield server
    server.stop()


def _queue(db, settings) -> tuple[int, int]:
    cand = add_candidate(db, settings)
    app = add_application(db, cand)
    with db.transaction() as conn:
        prefs.save(conn, cand, quiet_start=time(0, 0), quiet_end=time(0, 0))
        [q] = outbox.notify(conn, template="application_submitted", candidate_id=cand, application_id=app,
                            channels=["whatsapp"])
    task_id = db.one("SELECT task_id FROM notifications WHERE id = %s", (q.id,))["task_id"]
    return q.id, task_id


def _env(talvix_env, waha) -> dict[str, str]:
    return {**talvix_env, **waha.env(), "TALVIX_NOTIFY_WHATSAPP_PER_MINUTE": "1000"}


def _waiting(db, like: str) -> int:
    """Backends blocked on a lock while running a statement that matches ``like``."""
    return db.one("""SELECT count(*) AS n FROM pg_stat_activity
                      WHERE wait_event_type = 'Lock' AND query LIKE %s AND pid <> pg_backend_pid()""", (like,))["n"]


def _kill_waiting_backend(db, like: str) -> None:
    """The killed runner's connection dies with it: its statement waiting on our lock never runs."""
    n = db.one("""SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
                   WHERE wait_event_type = 'Lock' AND query LIKE %s AND pid <> pg_backend_pid()""", (like,))["n"]
    assert n == 1


def _status(db, nid: int) -> tuple[str, str]:
    row = db.one("""SELECT n.status, t.status AS task FROM notifications n JOIN tasks t ON t.id = n.task_id
                     WHERE n.id = %s""", (nid,))
    return row["status"], row["task"]


def test_crash_before_the_provider_call_sends_exactly_once_on_the_rerun(db, settings, talvix_env, waha, tmp_path):
    nid, task_id = _queue(db, settings)
    url = settings.database_url.get_secret_value()
    with psycopg.connect(url) as holder:
        holder.execute("SELECT id FROM notifications WHERE id = %s FOR UPDATE", (nid,))
        first = Runner(_env(talvix_env, waha), tmp_path / "r1.log")
        try:
            wait_until(lambda: _waiting(db, "%FROM notifications%FOR UPDATE%") == 1,
                       message="the runner blocked before the provider call")
        finally:
            first.kill()
        _kill_waiting_backend(db, "%FROM notifications%FOR UPDATE%")
        holder.rollback()
    assert waha.state.sent == []
    second = Runner(_env(talvix_env, waha), tmp_path / "r2.log")
    try:
        wait_until(lambda: _status(db, nid) == ("sent", "succeeded"), timeout=60, message="the rerun sent it")
    finally:
        assert second.stop() == 0, second.output()
    assert [m["to"] for m in waha.state.sent] == [PHONE_DIGITS]


def test_crash_after_the_provider_accepted_goes_to_a_person_never_a_second_send(db, settings, talvix_env, waha,
                                                                                  tmp_path):
    nid, task_id = _queue(db, settings)
    waha.state.hold = threading.Event()
    first = Runner(_env(talvix_env, waha), tmp_path / "r1.log")
    try:
        assert waha.state.held.wait(60), "the provider never got the message"
    finally:
        first.kill()
    waha.state.hold.set()
    assert _status(db, nid)[0] == "sending"  # the marker, committed before the call
    second = Runner(_env(talvix_env, waha), tmp_path / "r2.log")
    try:
        wait_until(lambda: _status(db, nid) == ("unknown", "needs_human"), timeout=60,
                   message="the reclaimed task parked for a person")
    finally:
        assert second.stop() == 0, second.output()
    assert len(waha.state.sent) == 1
    task = db.one("SELECT last_error FROM tasks WHERE id = %s", (task_id,))
    assert "never sent twice" in task["last_error"]
    assert db.one("SELECT count(*) AS n FROM events WHERE message LIKE %s",
                  (f"notification {nid} %outcome unknown after a crash%",))["n"] == 1


def test_crash_after_the_commit_completes_without_sending_again(db, settings, talvix_env, waha, tmp_path):
    nid, task_id = _queue(db, settings)
    waha.state.hold = threading.Event()
    url = settings.database_url.get_secret_value()
    first = Runner(_env(talvix_env, waha), tmp_path / "r1.log")
    try:
        assert waha.state.held.wait(60), "the provider never got the message"
        with psycopg.connect(url) as holder:
            holder.execute("SELECT id FROM tasks WHERE id = %s FOR UPDATE", (task_id,))
            waha.state.hold.set()
            wait_until(lambda: _status(db, nid)[0] == "sent", message="the acceptance committed")
            wait_until(lambda: _waiting(db, "%UPDATE tasks t SET status = 'succeeded'%") == 1,
                       message="the runner blocked completing the task")
            first.kill()
            _kill_waiting_backend(db, "%UPDATE tasks t SET status = 'succeeded'%")
            holder.rollback()
    finally:
        first.kill()
    assert _status(db, nid) == ("sent", "running")
    second = Runner(_env(talvix_env, waha), tmp_path / "r2.log")
    try:
        wait_until(lambda: _status(db, nid) == ("sent", "succeeded"), timeout=60, message="the rerun completed it")
    finally:
        assert second.stop() == 0, second.output()
    assert len(waha.state.sent) == 1
    ref = db.one("SELECT provider_ref FROM notifications WHERE id = %s", (nid,))["provider_ref"]
    assert ref == waha.state.sent[0]["id"]
