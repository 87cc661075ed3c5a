"""Stopping a headless runner: SIGTERM/SIGINT, the grace period, registration, exit-when-idle, JSON logs."""

from __future__ import annotations

import json
import logging
import signal
import time

from core import queue
from core.models import NewTask
from runners.logs import JsonLineFormatter
from tests.support.common import wait_for
from tests.support.runner_procs import Fleet, fast_env


def _by_status(db, ids):
    return {r["id"]: r for r in db.execute("SELECT id, status, attempts FROM tasks WHERE id = ANY(%s)", (ids,))}


def test_sigterm_finishes_short_tasks_and_releases_the_rest_keeping_their_attempts(db, talvix_env, tmp_path):
    short = [t.id for t, _ in queue.enqueue_many(db, [NewTask("ping", {"ms": 1200}) for _ in range(3)])]
    long = [t.id for t, _ in queue.enqueue_many(db, [NewTask("ping", {"ms": 600_000}) for _ in range(3)])]
    # One of the long ones already failed once: its attempt count must survive the release.
    db.execute("UPDATE tasks SET attempts = 1 WHERE id = %s", (long[0],))
    fleet = Fleet(fast_env(talvix_env, TALVIX_RUNNER__GRACE_SECONDS="4"), tmp_path)
    try:
        runner = fleet.start("--agents", "ping", "--concurrency", "6", "--no-schedule")
        wait_for(lambda: db.one("SELECT count(*) AS n FROM tasks WHERE status = 'running'")["n"] == 6,
                 timeout=20, message="six tasks running")
        reg = db.one("SELECT * FROM runners WHERE pid = %s", (runner.pid,))
        assert reg["status"] == "running" and reg["agents"] == ["ping"] and reg["concurrency"] == 6
        assert reg["host"] and reg["version"] and reg["started_at"] <= reg["heartbeat_at"]
        runner.signal(signal.SIGTERM)
        assert runner.wait(20) == 0
        rows = _by_status(db, short + long)
        assert {rows[i]["status"] for i in short} == {"succeeded"}
        assert {rows[i]["status"] for i in long} == {"queued"}
        assert [rows[i]["attempts"] for i in long] == [1, 0, 0]
        assert db.one("SELECT count(*) AS n FROM tasks WHERE status = 'running'")["n"] == 0
        gone = db.one("SELECT status, stopped_at FROM runners WHERE pid = %s", (runner.pid,))
        assert gone["status"] == "gone" and gone["stopped_at"] is not None
        stopped = [line for line in runner.lines() if line.get("event") == "runner.stopped"]
        assert stopped and stopped[0]["released"] == 3
    finally:
        fleet.close()


def test_second_signal_releases_at_once(db, talvix_env, tmp_path):
    queue.enqueue_many(db, [NewTask("ping", {"ms": 600_000}) for _ in range(2)])
    fleet = Fleet(fast_env(talvix_env, TALVIX_RUNNER__GRACE_SECONDS="300"), tmp_path)
    try:
        runner = fleet.start("--agents", "ping", "--concurrency", "2", "--no-schedule")
        wait_for(lambda: db.one("SELECT count(*) AS n FROM tasks WHERE status = 'running'")["n"] == 2,
                 timeout=20, message="two tasks running")
        runner.signal(signal.SIGTERM)
        wait_for(lambda: any(line.get("event") == "runner.stopping" for line in runner.lines()), timeout=10,
                 message="runner stopping")
        stopping_seen = time.monotonic()
        # A duplicate delivered at once (doppler forwarding the group's signal) is not a second request...
        dup_at = db.one("SELECT now() AS t")["t"]
        runner.signal(signal.SIGTERM)
        # It goes on heartbeating through the grace period, still holding both tasks.
        wait_for(lambda: db.one("SELECT heartbeat_at > %s + interval '1 second' AS later FROM runners WHERE pid = %s",
                                (dup_at, runner.pid))["later"], timeout=10, message="a heartbeat after the duplicate")
        assert runner.alive() and db.one("SELECT count(*) AS n FROM tasks WHERE status = 'running'")["n"] == 2
        assert time.monotonic() - stopping_seen > 1.0
        # ...but an operator pressing Ctrl-C again a second later is.
        started = time.monotonic()
        runner.signal(signal.SIGINT)
        assert runner.wait(20) == 0
        assert time.monotonic() - started < 15, "the second signal must not wait out the 300 s grace period"
        assert queue.counts_by_agent(db)["ping"] == {"queued": 2}
    finally:
        fleet.close()


def test_exit_when_idle_runs_everything_and_logs_one_json_line_per_event(db, talvix_env, tmp_path):
    pings = [t.id for t, _ in queue.enqueue_many(db, [NewTask("ping", {"ms": 5}) for _ in range(20)])]
    failing, _ = queue.enqueue(db, NewTask("ping", {"fail": True}, max_attempts=1))
    purge, _ = queue.enqueue(db, NewTask("maintenance", {"action": "purge_events", "older_than_days": 30}))
    fleet = Fleet(fast_env(talvix_env), tmp_path)
    try:
        runner = fleet.start("--agents", "ping,maintenance", "--exit-when-idle", "--no-schedule")
        assert runner.wait(60) == 0
        text = runner.log_path.read_text()
        lines = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
        assert all({"ts", "level", "message"} <= set(line) for line in lines)
        succeeded = {line["task"] for line in lines if line.get("event") == "task.succeeded"}
        assert succeeded == set(pings) | {purge.id}
        dead = [line for line in lines if line.get("event") == "task.dead"]
        assert [d["task"] for d in dead] == [failing.id] and "ping asked to fail" in dead[0]["error"]
        # The agent's own log line went both to stdout and to an event row.
        logged = [line for line in lines if line.get("event") == "log" and line.get("task") == purge.id]
        assert logged and logged[0]["message"].startswith("purged ")
        row = db.one("SELECT message FROM events WHERE task_id = %s AND kind = 'log'", (purge.id,))
        assert row["message"] == logged[0]["message"]
        assert queue.get_task(db, failing.id).status == "dead"
    finally:
        fleet.close()


def test_json_lines_cannot_carry_terminal_escapes():
    record = logging.LogRecord("talvix.agent", logging.WARNING, __file__, 1, "title \x1b[2J\x1b]0;pwned\x07ok",
                               None, None)
    record.fields = {"event": "log", "task": 7}
    line = json.loads(JsonLineFormatter().format(record))
    assert line["message"] == "title ok"
    assert line["level"] == "warning" and line["task"] == 7


def test_every_record_becomes_one_json_line_with_no_raw_control_character():
    record = logging.LogRecord("talvix.agent", logging.INFO, __file__, 1, "done", None, None)
    record.fields = {"task": 7, "page_title": "Jobs \x1b[2J\x07 at Acme", 3: "a number as a key"}
    line = JsonLineFormatter().format(record)
    assert "\n" not in line and "\x1b" not in line and "\x07" not in line  # escaped inside the JSON
    assert json.loads(line)["page_title"] == "Jobs \x1b[2J\x07 at Acme" and json.loads(line)["3"]
    # What the fast encoder refuses still makes a line: an integer beyond 64 bits, a lone surrogate.
    record.fields = {"big": 10**30, "odd": "\ud800"}
    line = JsonLineFormatter().format(record)
    line.encode("utf-8")  # writable as it is
    assert json.loads(line)["big"] == 10**30 and json.loads(line)["message"] == "done"


def test_unknown_agent_is_a_one_line_error(run_talvix):
    result = run_talvix("runner", "--agents", "ping,nosuch", "--no-schedule", timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "unknown agent(s): nosuch" in result.stderr and "Traceback" not in result.stderr
