"""A heartbeat that races a completion is not a lost lease (issue 11: no spurious ``task.lease_lost``)."""

from __future__ import annotations

import logging
import threading

import pytest

from core import queue
from core.models import NewTask
from runners.runner import Runner, _Running


def _held_task(runner: Runner, db, *, finishing: bool) -> _Running:
    queue.enqueue(db, NewTask("ping", {"ms": 0}))
    [task] = queue.claim(db, ["ping"], 1, runner.id, 30.0)
    r = _Running(task=task, cancel=threading.Event(), lease_s=30.0, finishing=finishing)
    runner._running[task.id] = r
    return r


def _lease_lost_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [rec for rec in caplog.records
            if getattr(rec, "fields", {}).get("event") == "task.lease_lost"]


def test_a_task_completed_while_the_beat_ran_is_not_reported_lost(settings, db, caplog) -> None:
    runner = Runner(settings, db, agents=["ping"], concurrency=2, reap=False, listen=False)
    r = _held_task(runner, db, finishing=True)
    queue.complete(db, r.task, {"ok": True})  # the completion commits before the beat's UPDATE
    with caplog.at_level(logging.WARNING, logger="talvix"):
        runner.beat()
    assert _lease_lost_records(caplog) == []
    assert not r.cancel.is_set()


def test_a_task_really_taken_away_is_still_reported_lost(settings, db, caplog) -> None:
    runner = Runner(settings, db, agents=["ping"], concurrency=2, reap=False, listen=False)
    r = _held_task(runner, db, finishing=False)
    queue.cancel(db, [r.task.id], reason="operator")  # taken away while the handler still runs
    with caplog.at_level(logging.WARNING, logger="talvix"):
        runner.beat()
    assert [rec.fields["task"] for rec in _lease_lost_records(caplog)] == [r.task.id]
    assert r.cancel.is_set() and r.reason == "lease lost"


def _events(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [rec for rec in caplog.records if getattr(rec, "fields", {}).get("event") == name]


def test_database_back_is_logged_after_a_failed_heartbeat_or_reaper_not_only_a_failed_claim(settings, db, caplog):
    from core.db import Database

    runner = Runner(settings, db, agents=["ping"], concurrency=2, reap=False, listen=False)
    good = runner.db
    runner.db = Database("postgresql://nobody@127.0.0.1:1/none", min_size=0, max_size=1, timeout=1)
    try:
        with caplog.at_level(logging.INFO, logger="talvix"):
            runner.reap_once()                       # the reaper meets the outage
            assert _events(caplog, "runner.db_unavailable") and not _events(caplog, "runner.db_back")
            runner.db.close()
            runner.db = good
            runner.beat()                            # the next call that works ends it, once
            runner.reap_once()
        assert len(_events(caplog, "runner.db_back")) == 1
        assert runner.last_error is None
    finally:
        runner.db = good
