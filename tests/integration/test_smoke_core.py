from core import queue
from core.models import NewTask


def test_enqueue_claim_complete_roundtrip(db):
    task, created = queue.enqueue(db, NewTask("ping", {"ms": 1}, key="k1"))
    assert created
    claimed = queue.claim(db, ["ping"], 5, "r1", 30)
    assert [t.id for t in claimed] == [task.id]
    queue.complete(db, claimed[0], {"ok": True})
    assert queue.get_task(db, task.id).status == "succeeded"


def test_runner_runs_ping_until_idle(settings, db):
    from runners.runner import run_until_idle

    queue.enqueue_many(db, [NewTask("ping", {"ms": 10}) for _ in range(20)])
    run_until_idle(settings, db, ["ping"], concurrency=4, timeout_s=60)
    assert queue.counts_by_agent(db) == {"ping": {"succeeded": 20}}
