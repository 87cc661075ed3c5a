"""What the runner records for each way a handler can end, and what it does when the lease goes away."""

from __future__ import annotations

from core import queue
from core.agent import Agent, AgentContext, AgentResult
from core.errors import AwaitingApproval, NeedsHuman, RetryLater
from core.models import NewTask
from runners.runner import Runner
from tests.support.common import settings_with, wait_for


class Scripted(Agent):
    """A test agent whose payload says how to end."""

    name = "scripted"
    default_concurrency = 4

    def handle(self, payload, ctx: AgentContext) -> AgentResult:
        how = payload.model_dump().get("how")
        if how == "needs_human":
            raise NeedsHuman("a required question has no confident answer")
        if how == "approval":
            raise AwaitingApproval("policy holds this for a person", {"answer_sheet": {"fields": []}})
        if how == "later":
            raise RetryLater("site budget used up", delay_s=120)
        if how == "bad_in_tx":
            return AgentResult(result={"ok": True}, in_tx=lambda conn: conn.execute("SELECT 1 / 0"))
        if how == "follow_on":
            return AgentResult(result={"ok": True}, follow_ons=[NewTask("ping", {"ms": 0}, key="child-of-scripted")])
        return AgentResult(result={"ok": True})


def _runner(settings, db) -> Runner:
    fast = settings_with(settings, queue={"heartbeat_seconds": 1, "lease_seconds": 5, "poll_seconds": 0.2})
    runner = Runner(fast, db, agents=["ping"], concurrency=4, reap=False)
    runner.agents["scripted"] = Scripted()
    return runner


def _run(db, runner: Runner, how: str):
    task, _ = queue.enqueue(db, NewTask("scripted", {"how": how}))
    wait_for(lambda: queue.get_task(db, task.id).status not in ("queued", "running") and runner.active == 0,
             timeout=15, message=f"{how} handled")
    return queue.get_task(db, task.id)


def test_each_ending_is_recorded(settings, db):
    runner = _runner(settings, db).start()
    try:
        human = _run(db, runner, "needs_human")
        assert human.status == "needs_human" and "no confident answer" in human.last_error
        held = _run(db, runner, "approval")
        assert held.status == "awaiting_approval" and held.result == {"answer_sheet": {"fields": []}}
        later = _run(db, runner, "later")
        assert later.status == "failed" and later.attempts == 0, "a postponement is not a failed attempt"
        parent = _run(db, runner, "follow_on")
        assert parent.status == "succeeded"
        child = db.one("SELECT parent_id FROM tasks WHERE idempotency_key = 'child-of-scripted'")
        assert child["parent_id"] == parent.id
    finally:
        runner.stop(grace_s=5)


def test_a_broken_in_transaction_write_fails_the_task_instead_of_leaving_it_running(settings, db):
    runner = _runner(settings, db).start()
    try:
        task = _run(db, runner, "bad_in_tx")
        assert task.status == "failed" and task.attempts == 1
        assert "recording the outcome failed" in task.last_error and "DivisionByZero" in task.last_error
        assert task.result is None, "nothing of the completion was committed"
    finally:
        runner.stop(grace_s=5)


def test_operator_cancel_stops_a_running_task_and_its_result_is_refused(settings, db):
    runner = _runner(settings, db).start()
    try:
        task, _ = queue.enqueue(db, NewTask("ping", {"ms": 600_000}))
        wait_for(lambda: runner.active == 1, timeout=10, message="ping running")
        assert queue.cancel(db, [task.id]) == [task.id]
        # The next heartbeat finds the lease gone and tells the handler to stop.
        wait_for(lambda: runner.active == 0, timeout=10, message="handler stopped")
        final = queue.get_task(db, task.id)
        assert final.status == "cancelled" and final.result is None
    finally:
        runner.stop(grace_s=5)


def test_stop_releases_without_counting_and_the_runner_is_gone(settings, db):
    runner = _runner(settings, db).start()
    task, _ = queue.enqueue(db, NewTask("ping", {"ms": 600_000}))
    wait_for(lambda: runner.active == 1, timeout=10, message="ping running")
    assert runner.stop(grace_s=0.2) == 1
    after = queue.get_task(db, task.id)
    assert (after.status, after.attempts) == ("queued", 0)
    assert db.one("SELECT status FROM runners WHERE id = %s", (runner.id,))["status"] == "gone"
    kinds = [r["message"] for r in db.execute("SELECT message FROM events WHERE kind = 'runner' ORDER BY id")]
    assert kinds[0].startswith("runner started") and kinds[-1] == "runner stopped: released 1 task(s)"
