"""The core `talvix` commands, run as a real subprocess against a real Postgres."""

from __future__ import annotations

import json


def test_db_migrate_twice_and_status(run_talvix):
    first = run_talvix("db", "migrate")
    assert first.returncode == 0, first.stderr
    again = run_talvix("db", "migrate", "--json")
    assert json.loads(again.stdout) == {"applied": []}
    status = run_talvix("db", "status", "--json")
    data = json.loads(status.stdout)
    assert data["pending"] == 0 and data["migrations"][0]["name"] == "core"
    assert "p@ss" not in status.stdout


def test_enqueue_status_tasks_retry_cancel(run_talvix, db):
    out = run_talvix("enqueue", "ping", "--payload", '{"ms": 5}', "--key", "k1", "--priority", "3", "--json")
    assert out.returncode == 0, out.stderr
    first = json.loads(out.stdout)
    assert first["created"] is True
    dup = json.loads(run_talvix("enqueue", "ping", "--payload", '{"ms": 6}', "--key", "k1", "--json").stdout)
    assert dup == {**first, "created": False}

    status = json.loads(run_talvix("status", "--json").stdout)
    assert status["tasks"] == {"ping": {"queued": 1}}
    assert status["runners"] == [] and set(status["oldest_queued_age_s"]) == {"ping"}

    db.execute("INSERT INTO runners (id, host, pid, agents) VALUES ('h:1:x', 'h', 1, '{ping}')")
    status = json.loads(run_talvix("status", "--json").stdout)
    assert {"id", "host", "pid", "agents", "heartbeat_at"} <= set(status["runners"][0])
    assert status["runners"][0]["agents"] == ["ping"]

    tasks = json.loads(run_talvix("tasks", "--agent", "ping", "--status", "queued", "--json").stdout)
    assert [t["id"] for t in tasks] == [first["id"]] and tasks[0]["priority"] == 3

    db.execute("UPDATE tasks SET status = 'dead' WHERE id = %s", (first["id"],))
    retried = json.loads(run_talvix("retry", "--all-failed", "--agent", "ping", "--json").stdout)
    assert retried["retried"] == [first["id"]]
    cancelled = json.loads(run_talvix("cancel", str(first["id"]), "999", "--json").stdout)
    assert cancelled == {"cancelled": [first["id"]], "skipped": [999]}
    actions = db.execute("SELECT action, actor FROM operator_actions ORDER BY id")
    assert [a["action"] for a in actions] == ["retry", "cancel"] and "@" in actions[0]["actor"]


def test_enqueue_from_file_is_one_transaction(run_talvix, db, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps({"ms": i}) + "\n" for i in range(50)) + "\n")
    out = run_talvix("enqueue", "ping", "--from-file", str(good), "--json")
    assert json.loads(out.stdout)["enqueued"] == 50
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"ms": 1}\n{"ms": 2}\nnot json\n')
    out = run_talvix("enqueue", "ping", "--from-file", str(bad))
    assert out.returncode == 2  # bad input, like a bad setting
    assert out.stderr.startswith("talvix: error: ") and "bad.jsonl:3" in out.stderr
    assert db.one("SELECT count(*) AS n FROM tasks")["n"] == 50  # nothing from the bad file


def test_errors_are_one_line_without_traceback(run_talvix):
    out = run_talvix("status", env={"TALVIX_QUEUE__LEASE_SECONDS": "forever"})
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert "TALVIX_QUEUE__LEASE_SECONDS" in out.stderr
    out = run_talvix("enqueue", "ping", "--run-at", "tomorrow")
    assert out.returncode == 2 and "ISO 8601" in out.stderr
    out = run_talvix("status", env={"TALVIX_DATABASE_URL": "postgresql://talvix:hunter2@127.0.0.1:1/x",
                                    "TALVIX_DATABASE__CONNECT_TIMEOUT_S": "1"})
    assert out.returncode == 1 and "hunter2" not in out.stderr and "cannot connect" in out.stderr


def test_pause_resume_and_agents(run_talvix, db):
    assert run_talvix("pause", "ping", "--reason", "maintenance").returncode == 0
    assert json.loads(run_talvix("status", "--json").stdout)["paused_agents"] == ["ping"]
    assert run_talvix("resume", "ping").returncode == 0
    agents = json.loads(run_talvix("agents", "--json").stdout)
    assert "ping" in [a["name"] for a in agents]


def test_ping_agent_runs_through_the_runner(settings, db):
    from core import queue
    from core.models import NewTask
    from runners.runner import run_until_idle

    task, _ = queue.enqueue(db, NewTask("ping", {"ms": 20}))
    run_until_idle(settings, db, ["ping"], timeout_s=60)
    done = queue.get_task(db, task.id)
    assert done.status == "succeeded"
    assert set(done.result) == {"host", "pid", "ms"} and done.result["ms"] == 20
