"""Scheduling: cron periods, one task per schedule and period however many hosts fire it, config errors."""

from __future__ import annotations

import json
import signal
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core import queue
from core.db import Database
from core.errors import ConfigError
from runners.scheduler import (
    Scheduler,
    load_schedules,
    parse_cron,
    period_of,
    schedule_key,
)
from tests.support.common import settings_with, wait_for
from tests.support.runner_procs import Fleet, fast_env

IST = ZoneInfo("Asia/Kolkata")


def test_a_late_firing_belongs_to_the_period_it_was_due():
    every_5_min = parse_cron("*/5 * * * *", IST)
    assert period_of(every_5_min, datetime(2026, 3, 2, 9, 7, 3, tzinfo=IST)) == datetime(2026, 3, 2, 9, 5, tzinfo=IST)
    assert period_of(every_5_min, datetime(2026, 3, 2, 9, 5, 0, tzinfo=IST)) == datetime(2026, 3, 2, 9, 5, tzinfo=IST)
    # Two hosts whose clocks differ by a few seconds agree on the key.
    a = schedule_key("discover", period_of(every_5_min, datetime(2026, 3, 2, 9, 5, 1, tzinfo=IST)))
    b = schedule_key("discover", period_of(every_5_min, datetime(2026, 3, 2, 9, 9, 58, tzinfo=IST)))
    assert a == b == "schedule:discover:2026-03-02T03:35:00Z"


def test_weekdays_are_numbered_like_standard_cron():
    now = datetime(2026, 3, 4, 12, 0, tzinfo=IST)  # a Wednesday
    for expr in ("0 4 * * 0", "0 4 * * 7", "0 4 * * sun"):
        assert parse_cron(expr, IST).get_next_fire_time(None, now).strftime("%a") == "Sun", expr
    assert parse_cron("0 4 * * 1-5", IST).get_next_fire_time(None, now).strftime("%a %H") == "Thu 04"


def test_six_fields_put_seconds_first():
    trigger = parse_cron("*/20 * * * * *", IST)
    assert period_of(trigger, datetime(2026, 3, 2, 9, 7, 45, tzinfo=IST)) == datetime(2026, 3, 2, 9, 7, 40, tzinfo=IST)


def test_two_schedulers_firing_the_same_schedule_make_one_task(settings, db):
    """Two hosts (two schedulers, each with its own connection pool) fire the same period at the same moment."""
    s = settings_with(settings, schedules={"discover_acme": {"cron": "0 6 * * *", "agent": "ping", "payload": {"ms": 1}}})
    other_db = Database(db.url, min_size=1, max_size=2)
    try:
        schedulers = [Scheduler(s, db), Scheduler(s, other_db)]
        at_6 = datetime(2026, 3, 2, 6, 0, 2, tzinfo=IST)
        results: list = [None, None]
        barrier = threading.Barrier(2)

        def fire(i: int) -> None:
            barrier.wait()
            results[i] = schedulers[i].run_schedule("discover_acme", now=at_6)

        threads = [threading.Thread(target=fire, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        (t1, c1), (t2, c2) = results
        assert t1.id == t2.id and sorted([c1, c2]) == [False, True]
        # The next day is a new period, so a new task.
        t3, c3 = schedulers[1].run_schedule("discover_acme", now=datetime(2026, 3, 3, 6, 0, 0, tzinfo=IST))
        assert c3 and t3.id != t1.id
        rows = db.execute("SELECT agent, payload, idempotency_key FROM tasks ORDER BY id")
        assert [r["idempotency_key"] for r in rows] == ["schedule:discover_acme:2026-03-02T00:30:00Z",
                                                        "schedule:discover_acme:2026-03-03T00:30:00Z"]
        assert rows[0]["agent"] == "ping" and rows[0]["payload"]["ms"] == 1
        assert rows[0]["payload"]["schedule"] == "discover_acme"
    finally:
        other_db.close()


def test_two_runner_processes_firing_a_schedule_make_one_task_per_period(db, talvix_env, tmp_path, data_dir):
    """Real APScheduler in two headless runners, a schedule every 2 seconds: each period is fired by both
    and makes one task."""
    (data_dir / "talvix.toml").write_text(
        '[schedules.tick]\ncron = "*/2 * * * * *"\nagent = "ping"\npayload = { ms = 0 }\n', encoding="utf-8")
    fleet = Fleet(fast_env(talvix_env), tmp_path, cwd=data_dir)
    try:
        # The runners run maintenance only, so the ticks stay queued and countable.
        a = fleet.start("--agents", "maintenance")
        b = fleet.start("--agents", "maintenance")

        def both_fired() -> set[str]:
            fired = [{line["period"] for line in p.lines() if line.get("event") == "schedule.fired"
                      and line.get("schedule") == "tick"} for p in (a, b)]
            return fired[0] & fired[1]

        common = wait_for(lambda: len(both_fired()) >= 3 and both_fired(), timeout=30,
                          message="three periods fired by both runners")
        for p in (a, b):
            p.signal(signal.SIGTERM)
        assert [a.wait(20), b.wait(20)] == [0, 0]
        fired = [line for p in (a, b) for line in p.lines()
                 if line.get("event") == "schedule.fired" and line.get("schedule") == "tick"]
        for period in common:
            both = [line for line in fired if line["period"] == period]
            assert len(both) == 2 and both[0]["task"] == both[1]["task"]
            assert sorted(line["created"] for line in both) == [False, True]
        keys = [r["idempotency_key"] for r in db.execute("SELECT idempotency_key FROM tasks WHERE agent = 'ping'")]
        assert len(keys) == len(set(keys)) == len({line["period"] for line in fired})
    finally:
        fleet.close()


def test_no_schedule_runner_fires_nothing(db, talvix_env, tmp_path, data_dir):
    (data_dir / "talvix.toml").write_text('[schedules.tick]\ncron = "* * * * * *"\nagent = "ping"\n', encoding="utf-8")
    fleet = Fleet(fast_env(talvix_env), tmp_path, cwd=data_dir)
    try:
        with_schedule = fleet.start("--agents", "maintenance")
        without = fleet.start("--agents", "maintenance", "--no-schedule")
        wait_for(lambda: len([1 for line in with_schedule.lines() if line.get("event") == "schedule.fired"]) >= 2,
                 timeout=30, message="the scheduling runner fired twice")
        assert fleet.stop_all() == [0, 0]
        assert not [line for line in without.lines() if line.get("event", "").startswith("schedule")]
    finally:
        fleet.close()


def test_bad_cron_stops_the_runner_with_one_line_naming_the_schedule(run_talvix, data_dir):
    (data_dir / "talvix.toml").write_text('[schedules.nightly]\ncron = "61 * * * *"\nagent = "ping"\n',
                                          encoding="utf-8")
    result = run_talvix("runner", timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "schedule 'nightly': bad cron '61 * * * *'" in result.stderr
    listed = run_talvix("schedule", "list", timeout=60)
    assert listed.returncode == 2 and "nightly" in listed.stderr


def test_schedule_with_unknown_agent_is_refused(settings):
    s = settings_with(settings, schedules={"nightly": {"cron": "0 1 * * *", "agent": "nosuch"}})
    with pytest.raises(ConfigError, match="schedule 'nightly': unknown agent 'nosuch'"):
        load_schedules(s)


def test_schedule_list_shows_next_fire_times_in_the_configured_timezone(run_talvix, data_dir):
    (data_dir / "talvix.toml").write_text(
        'timezone = "UTC"\n'
        '[schedules."discover:greenhouse:acme"]\ncron = "15 6 * * *"\nagent = "ping"\npayload = { ms = 1 }\n'
        '[schedules.event_retention]\ncron = "0 2 * * *"\nagent = "maintenance"\nenabled = false\n'
        'payload = { action = "purge_events" }\n',
        encoding="utf-8")
    result = run_talvix("schedule", "list", "--json", timeout=60)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["timezone"] == "UTC"
    rows = {r["name"]: r for r in data["schedules"]}
    acme = rows["discover:greenhouse:acme"]
    nxt = datetime.fromisoformat(acme["next_fire_at"])
    assert (nxt.hour, nxt.minute, nxt.utcoffset().total_seconds()) == (6, 15, 0)
    assert acme["active"] and acme["agent"] == "ping" and acme["payload"] == {"ms": 1}
    assert acme["next_key"] == schedule_key("discover:greenhouse:acme", nxt)
    # A config entry replaces the built-in of the same name; enabled = false turns it off.
    assert rows["event_retention"]["enabled"] is False and rows["event_retention"]["next_fire_at"] is None
    assert rows["reaper"]["every_s"] > 0 and rows["reaper"]["source"] == "builtin"
    # Defaults of the outcomes agents are active in a build that has them.
    assert rows["calibration"]["active"] is True and rows["calibration"]["agent"] == "calibrate"
    assert rows["follow_up_sweep"]["active"] is True and rows["follow_up_sweep"]["payload"] == {"sweep": True}
    human = run_talvix("schedule", "list", env={"COLUMNS": "120"}, timeout=60)
    assert human.returncode == 0 and "discover:greenhouse:acme" in human.stdout and "timezone UTC" in human.stdout


def test_event_retention_fires_a_maintenance_task_that_purges_old_events(settings, db):
    from runners.runner import run_until_idle

    with db.connection() as conn:
        queue.add_event(conn, "ancient")
        queue.add_event(conn, "recent")
    db.execute("UPDATE events SET ts = now() - interval '40 days' WHERE message = 'ancient'")
    scheduler = Scheduler(settings, db)
    task, created = scheduler.run_schedule("event_retention", now=datetime(2026, 3, 2, 3, 30, 5, tzinfo=IST))
    assert created and task.agent == "maintenance" and task.payload["action"] == "purge_events"
    run_until_idle(settings, db, ["maintenance"], concurrency=1, timeout_s=30)
    assert queue.get_task(db, task.id).status == "succeeded"
    messages = {r["message"] for r in db.execute("SELECT message FROM events WHERE kind = 'log' AND task_id IS NULL")}
    assert "recent" in messages and "ancient" not in messages
