"""A runner claims its next task while the last one's outcome is still being written.

A task whose handler has returned holds no slot: its completion commits (grouped with others) while the
freed slot already runs the next task. The task stays the runner's until its outcome is written, and it
is written exactly once.
"""

from __future__ import annotations

import threading

import psycopg

from core import queue
from core.agent import Agent, AgentContext, AgentResult
from core.models import NewTask
from runners.runner import Runner
from tests.support.common import settings_with, wait_for


class Gate(Agent):
    """A test agent: records each handler start; the task named "first" waits for ``go``."""

    name = "gate"
    default_concurrency = 1

    def __init__(self) -> None:
        self.started: list[str] = []
        self.go = threading.Event()

    def handle(self, payload, ctx: AgentContext) -> AgentResult:
        name = payload.model_dump().get("name")
        self.started.append(name)
        if name == "first":
            self.go.wait(30)
        return AgentResult(result={"name": name})


def _succeeded_events(db, task_id: int) -> int:
    return db.one("""SELECT count(*) AS n FROM events WHERE task_id = %s AND kind = 'state'
                      AND message = 'succeeded'""", (task_id,))["n"]


def test_the_next_task_runs_while_the_last_outcome_is_written(settings, db):
    fast = settings_with(settings, queue={"heartbeat_seconds": 1, "lease_seconds": 30, "poll_seconds": 0.2})
    first, _ = queue.enqueue(db, NewTask("gate", {"name": "first"}, priority=10))
    second, _ = queue.enqueue(db, NewTask("gate", {"name": "second"}))
    runner = Runner(fast, db, agents=["ping"], concurrency=1, reap=False)
    gate = runner.agents["gate"] = Gate()
    runner.start()
    url = settings.database_url.get_secret_value()
    try:
        wait_for(lambda: gate.started == ["first"], timeout=15, message="the first task's handler running")
        # Another session locks the first task's row: its completion, once the handler returns, waits.
        with psycopg.connect(url) as blocker:
            blocker.execute("SELECT id FROM tasks WHERE id = %s FOR UPDATE", (first.id,))
            gate.go.set()
            # Concurrency 1, and the only slot is taken by nothing but a pending write: the second task
            # is claimed and its handler runs while the first is still `running` in the database.
            wait_for(lambda: gate.started == ["first", "second"], timeout=15,
                     message="the second task started while the first one's outcome was being written")
            assert queue.get_task(db, first.id).status == "running"
            assert runner.active == 2 and runner.handling <= 1
            blocker.rollback()
        wait_for(lambda: runner.active == 0 and queue.get_task(db, second.id).status == "succeeded",
                 timeout=15, message="both written")
    finally:
        gate.go.set()
        runner.stop(grace_s=5)
    done = queue.get_task(db, first.id)
    assert done.status == "succeeded" and done.result == {"name": "first"}
    assert _succeeded_events(db, first.id) == 1 and _succeeded_events(db, second.id) == 1


class Stuck(Agent):
    """A test agent: the task named "stuck" ignores cancellation and waits for ``go``; the others return."""

    name = "stuck"
    default_concurrency = 8

    def __init__(self) -> None:
        self.go = threading.Event()
        self.stuck_running = threading.Event()

    def handle(self, payload, ctx: AgentContext) -> AgentResult:
        name = payload.model_dump().get("name")
        if name == "stuck":
            self.stuck_running.set()
            self.go.wait(60)
        return AgentResult(result={"name": name})


def test_tasks_claimed_with_a_stuck_one_still_run_on_other_threads(settings, db):
    """One claim takes a stuck task and five quick ones: the quick ones must not wait behind it."""
    fast = settings_with(settings, queue={"heartbeat_seconds": 1, "lease_seconds": 60, "poll_seconds": 0.2})
    stuck, _ = queue.enqueue(db, NewTask("stuck", {"name": "stuck"}, priority=10))
    quick = [queue.enqueue(db, NewTask("stuck", {"name": f"quick-{i}"}))[0] for i in range(5)]
    runner = Runner(fast, db, agents=["ping"], concurrency=8, reap=False)
    agent = runner.agents["stuck"] = Stuck()
    queue.set_agent_paused(db, "stuck", True)
    runner.start()
    try:
        queue.set_agent_paused(db, "stuck", False)  # all six become claimable at once: one claim takes them
        runner.wake()
        wait_for(lambda: all(queue.get_task(db, t.id).status == "succeeded" for t in quick), timeout=20,
                 message="the quick tasks to finish while the stuck one still runs")
        assert agent.stuck_running.is_set() and queue.get_task(db, stuck.id).status == "running"
    finally:
        agent.go.set()
        runner.stop(grace_s=5)
    assert queue.get_task(db, stuck.id).status == "succeeded"


def test_a_failed_group_write_is_written_again_on_its_own(settings, db, monkeypatch):
    """The group completer's statement fails (a dropped connection): each task's success is still written,
    once, by the retrying path."""
    real = queue.complete_many
    calls = {"n": 0}

    def drop_first(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(queue, "complete_many", drop_first)
    tasks = [queue.enqueue(db, NewTask("ping", {"ms": 0}))[0] for _ in range(3)]
    runner = Runner(settings, db, agents=["ping"], concurrency=4, reap=False, listen=False).start()
    try:
        wait_for(lambda: all(queue.get_task(db, t.id).status == "succeeded" for t in tasks), timeout=20,
                 message="every ping written after the failed group write")
    finally:
        runner.stop(grace_s=5)
    assert calls["n"] >= 1
    assert runner.completed == 3 and runner.failed == 0
    assert all(_succeeded_events(db, t.id) == 1 for t in tasks)


class Hold(Agent):
    """A test agent whose tasks run until ``go``."""

    name = "hold"
    default_concurrency = 4

    def __init__(self) -> None:
        self.go = threading.Event()

    def handle(self, payload, ctx: AgentContext) -> AgentResult:
        self.go.wait(60)
        return AgentResult()


class OneAtATime(Agent):
    """A test agent limited to one task per runner; the task named "first" waits for ``go``."""

    name = "one"
    default_concurrency = 1

    def __init__(self) -> None:
        self.go = threading.Event()
        self.started: list[str] = []

    def handle(self, payload, ctx: AgentContext) -> AgentResult:
        name = payload.model_dump().get("name")
        self.started.append(name)
        if name == "first":
            self.go.wait(60)
        return AgentResult()


def test_an_agent_at_its_own_limit_is_claimed_again_as_soon_as_its_task_returns(settings, db):
    """Another agent's task still runs and the poll is 30 s away: the freed slot is claimed at once."""
    slow_poll = settings_with(settings, queue={"heartbeat_seconds": 1, "lease_seconds": 60, "poll_seconds": 30})
    queue.enqueue(db, NewTask("hold", {}))
    queue.enqueue(db, NewTask("one", {"name": "first"}, priority=10))
    second, _ = queue.enqueue(db, NewTask("one", {"name": "second"}))
    runner = Runner(slow_poll, db, agents=["ping"], concurrency=4, reap=False, listen=False)
    hold = runner.agents["hold"] = Hold()
    one = runner.agents["one"] = OneAtATime()
    runner.start()
    try:
        wait_for(lambda: one.started == ["first"] and runner.handling == 2, timeout=15,
                 message="the hold task and the first one-at-a-time task running")
        wait_for(lambda: runner._waiting_for_room, timeout=15, message="the claimer to wait for room")
        one.go.set()
        wait_for(lambda: one.started == ["first", "second"], timeout=10,
                 message="the second task claimed as soon as the first returned (not at the next poll)")
        assert queue.get_task(db, second.id).status in ("running", "succeeded")
    finally:
        one.go.set()
        hold.go.set()
        runner.stop(grace_s=5)
