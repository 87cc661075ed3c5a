"""The task queue against a real Postgres: claiming, leases, retries, follow-ons, approvals, controls."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from core import queue
from core.errors import LeaseLost, NotFound
from core.models import NewTask
from tests.support.common import wait_for


def _set_lease_past(db, task_id: int) -> None:
    db.execute("UPDATE tasks SET lease_until = now() - interval '1 second' WHERE id = %s", (task_id,))


def test_eight_threads_claim_5000_tasks_each_completed_exactly_once(db):
    queue.enqueue_many(db, [NewTask("ping", {"i": i}) for i in range(5000)])
    completed: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            while True:
                tasks = queue.claim(db, ["ping"], 25, f"runner-{n}", 60)
                if not tasks:
                    return
                for t in tasks:
                    queue.complete(db, t, {"by": n})
                    with lock:
                        completed.append(t.id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(completed) == 5000
    assert len(set(completed)) == 5000  # nobody completed a task twice
    assert queue.counts_by_agent(db) == {"ping": {"succeeded": 5000}}
    row = db.one("SELECT max(attempts) AS mx, min(attempts) AS mn FROM tasks")
    assert row == {"mx": 1, "mn": 1}  # each claimed exactly once
    # every task has its queued, running and succeeded events
    per_task = db.one("SELECT count(*) AS n FROM events WHERE kind = 'state'")
    assert per_task["n"] == 3 * 5000


def test_enqueue_with_the_same_key_returns_the_existing_task(db):
    first, created1 = queue.enqueue(db, NewTask("ping", {"ms": 1}, key="daily:2026-11-23"))
    second, created2 = queue.enqueue(db, NewTask("ping", {"ms": 999}, key="daily:2026-11-23"))
    assert created1 and not created2
    assert second.id == first.id and second.payload == {"ms": 1}
    assert db.one("SELECT count(*) AS n FROM tasks")["n"] == 1


def test_higher_priority_first_and_run_at_is_respected(db):
    low, _ = queue.enqueue(db, NewTask("ping", priority=0))
    high, _ = queue.enqueue(db, NewTask("ping", priority=10))
    later, _ = queue.enqueue(db, NewTask("ping", priority=99, run_at=datetime.now(UTC) + timedelta(hours=1)))
    claimed = queue.claim(db, ["ping"], 10, "r", 30)
    assert [t.id for t in claimed] == [high.id, low.id]
    assert later.id not in [t.id for t in claimed]


def test_claim_across_agents_takes_the_best_n_in_priority_order(db):
    a_low = [queue.enqueue(db, NewTask("a", {"i": i}, priority=0))[0].id for i in range(3)]
    b_high = [queue.enqueue(db, NewTask("b", {"i": i}, priority=5))[0].id for i in range(3)]
    c_mid, _ = queue.enqueue(db, NewTask("c", priority=3))
    claimed = queue.claim(db, ["a", "b", "c"], 5, "r", 30)
    assert [t.id for t in claimed] == b_high + [c_mid.id, a_low[0]]
    # The rest stay claimable: nothing locked for agent "a" beyond the best five was taken.
    assert [t.id for t in queue.claim(db, ["a", "b", "c"], 5, "r", 30)] == a_low[1:]


def _queue_rows_read(plan: dict) -> int:
    """Task rows a plan read looking for work (scans of ``tasks`` other than by primary key)."""
    own = 0
    if plan.get("Relation Name") == "tasks" and plan.get("Node Type", "").endswith("Scan") \
            and plan.get("Index Name") != "tasks_pkey":
        own = int(plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1))
    return own + sum(_queue_rows_read(p) for p in plan.get("Plans", []))


def test_claim_reads_n_rows_per_agent_not_the_whole_queue(db):
    """A claim must not sort every queued task: its cost may not grow with the depth of the queue."""
    for agent in ("deep", "other"):
        queue.enqueue_many(db, [NewTask(agent, {"i": i}) for i in range(3000)])
    db.execute("ANALYZE tasks")
    sql = queue._CLAIM.replace("%(agents)s", "ARRAY['deep', 'other']").replace("%(n)s", "20") \
        .replace("%(runner)s", "'r'").replace("%(lease)s", "30")
    plan = db.one("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)["QUERY PLAN"][0]["Plan"]
    read = _queue_rows_read(plan)
    assert 20 <= read <= 2 * 20, f"claim read {read} queued rows to claim 20 tasks of 6,000"
    assert db.one("SELECT count(*) AS n FROM tasks WHERE status = 'running'")["n"] == 20


def test_a_claimed_payload_comes_back_exactly_as_enqueued(db):
    """Payloads are decoded by a fast JSON reader; numbers it would round (beyond 64 bits) must not be."""
    payload = {"big": 123456789012345678901234567890, "neg": -9223372036854775809, "f": 0.1, "e": 1.5e-300,
               "text": "Zoë \u2028 ₹12 LPA", "nested": [1, {"a": None, "b": True}]}
    queue.enqueue(db, NewTask("ping", payload))
    [task] = queue.claim(db, ["ping"], 1, "r", 30)
    assert task.payload == payload
    assert type(task.payload["big"]) is int and type(task.payload["neg"]) is int
    db.execute("UPDATE tasks SET payload = '{\"huge\": 1e400}'::jsonb WHERE id = %s", (task.id,))
    assert queue.get_task(db, task.id).payload == {"huge": 10**400}  # jsonb writes it out digit by digit


def test_a_group_completion_reads_its_own_rows_not_every_running_task(db):
    queue.enqueue_many(db, [NewTask("ping", {"i": i}) for i in range(2000)])
    running = [t for _ in range(4) for t in queue.claim(db, ["ping"], 500, "r", 60)]
    assert len(running) == 2000
    db.execute("ANALYZE tasks")
    params = queue._completion_params([(t, {"ok": True}) for t in running[:20]])
    plan = db.one("EXPLAIN (ANALYZE, FORMAT JSON) " + queue._COMPLETE, params)["QUERY PLAN"][0]["Plan"]
    read = _queue_rows_read(plan)
    assert read <= 2 * 20, f"completing 20 tasks read {read} of the 2,000 running ones"
    assert db.one("SELECT count(*) AS n FROM tasks WHERE status = 'succeeded'")["n"] == 20


def test_expired_lease_is_reclaimed_and_the_old_holder_is_fenced_out(db):
    task, _ = queue.enqueue(db, NewTask("ping"))
    [held] = queue.claim(db, ["ping"], 1, "runner-a", 30)
    _set_lease_past(db, task.id)
    rescued = queue.reap(db, backoff_base=0)
    assert rescued["failed"] == 1
    t = queue.get_task(db, task.id)
    assert t.status == "failed" and "lease expired" in t.last_error
    [again] = queue.claim(db, ["ping"], 1, "runner-b", 30)
    assert again.id == task.id and again.attempts == 2
    # runner-a comes back to life: its completion must not count
    with pytest.raises(LeaseLost):
        queue.complete(db, held, {"late": True})
    assert queue.heartbeat(db, "runner-a", [(held.id, held.attempts)], 30) == set()
    queue.complete(db, again, {"ok": True})
    assert queue.get_task(db, task.id).result == {"ok": True}


def test_stale_runner_heartbeat_rescues_its_tasks(db):
    queue.enqueue(db, NewTask("ping"))
    db.execute("INSERT INTO runners (id, host, pid, heartbeat_at) VALUES ('dead-runner', 'h', 1, now() - interval '10 minutes')")
    [t] = queue.claim(db, ["ping"], 1, "dead-runner", 3600)
    assert queue.reap(db, runner_stale_s=60, backoff_base=0)["failed"] == 1
    assert "stopped heartbeating" in queue.get_task(db, t.id).last_error


def test_failures_back_off_then_go_dead_after_max_attempts(db):
    task, _ = queue.enqueue(db, NewTask("ping", max_attempts=3))
    statuses = []
    for _ in range(3):
        db.execute("UPDATE tasks SET run_at = now() WHERE id = %s", (task.id,))
        [t] = queue.claim(db, ["ping"], 1, "r", 30)
        statuses.append(queue.fail(db, t, RuntimeError("boom"), backoff_base=10, backoff_cap=100))
        if statuses[-1] == "failed":
            row = db.one("SELECT extract(epoch FROM run_at - now()) AS wait FROM tasks WHERE id = %s", (task.id,))
            expected_max = min(100, 10 * 2 ** (t.attempts - 1))
            assert expected_max * 0.5 - 1 <= row["wait"] <= expected_max + 1
            # not claimable before its backoff passes
            assert queue.claim(db, ["ping"], 1, "r", 30) == []
    assert statuses == ["failed", "failed", "dead"]
    t = queue.get_task(db, task.id)
    assert t.status == "dead" and t.last_error == "RuntimeError: boom"


def test_complete_many_fences_each_task_on_its_own(db):
    queue.enqueue_many(db, [NewTask("ping", {"i": i}) for i in range(3)])
    a, b, c = queue.claim(db, ["ping"], 3, "r1", 30)
    _set_lease_past(db, b.id)
    queue.reap(db)  # b goes back to the queue: r1's hold on it is gone
    assert queue.complete_many(db, [(a, {"n": 1}), (b, {"n": 2}), (c, None)]) == {a.id, c.id}
    assert queue.get_task(db, a.id).result == {"n": 1} and queue.get_task(db, c.id).status == "succeeded"
    assert queue.get_task(db, b.id).status == "failed"
    done = db.execute("SELECT task_id, runner_id FROM events WHERE kind = 'state' AND message = 'succeeded' ORDER BY task_id")
    assert [(r["task_id"], r["runner_id"]) for r in done] == [(a.id, "r1"), (c.id, "r1")]
    assert queue.complete_many(db, [(a, {"n": 1})]) == set()  # completing again changes nothing


def test_group_completer_shares_one_commit_among_tasks_that_finish_together(db, db_url):
    """Ten threads complete while the first write waits on a row lock: the other nine share one statement."""
    queue.enqueue_many(db, [NewTask("ping", {"i": i}) for i in range(10)])
    tasks = queue.claim(db, ["ping"], 10, "r1", 60)
    completer = queue.GroupCompleter(db)
    errors: list[BaseException] = []

    def finish(t):
        try:
            completer.complete(t, {"i": t.payload["i"]})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with psycopg.connect(db_url) as holder:
        holder.execute("SELECT 1 FROM tasks WHERE id = %s FOR UPDATE", (tasks[0].id,))
        first = threading.Thread(target=finish, args=(tasks[0],))
        first.start()
        wait_for(lambda: db.one("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND datname = current_database()")["n"] == 1, message="the first write to wait")
        rest = [threading.Thread(target=finish, args=(t,)) for t in tasks[1:]]
        for th in rest:
            th.start()
        wait_for(lambda: len(completer._pending) == 9, message="nine completions to queue up")
        holder.commit()
    for th in [first, *rest]:
        th.join(30)
    assert errors == []
    assert completer.batches == 2
    assert db.one("SELECT count(*) AS n FROM tasks WHERE status = 'succeeded'")["n"] == 10
    assert db.one("SELECT count(*) AS n FROM events WHERE message = 'succeeded'")["n"] == 10


def test_group_completer_raises_lease_lost_only_for_the_lost_task(db):
    queue.enqueue_many(db, [NewTask("ping", {"i": i}) for i in range(2)])
    a, b = queue.claim(db, ["ping"], 2, "r1", 30)
    queue.release(db, [b])
    completer = queue.GroupCompleter(db)
    completer.complete(a, {"ok": True})
    with pytest.raises(LeaseLost):
        completer.complete(b, {"ok": True})
    assert queue.get_task(db, a.id).status == "succeeded" and queue.get_task(db, b.id).status == "queued"


def test_permanent_failure_skips_retries(db):
    queue.enqueue(db, NewTask("ping"))
    [t] = queue.claim(db, ["ping"], 1, "r", 30)
    assert queue.fail(db, t, "bad payload", retry=False) == "dead"


def test_follow_ons_commit_with_completion_or_not_at_all(db):
    parent, _ = queue.enqueue(db, NewTask("ping"))
    [t] = queue.claim(db, ["ping"], 1, "r", 30)

    def explode(conn):
        conn.execute("INSERT INTO events (message) VALUES ('written before the failure')")
        raise RuntimeError("failure in the middle")

    with pytest.raises(RuntimeError):
        queue.complete(db, t, {"x": 1}, [NewTask("ping", {"child": 1}, key="child-1")], in_tx=explode)
    assert queue.get_task(db, parent.id).status == "running"
    assert db.one("SELECT count(*) AS n FROM tasks WHERE idempotency_key = 'child-1'")["n"] == 0
    assert db.one("SELECT count(*) AS n FROM events WHERE message = 'written before the failure'")["n"] == 0

    created = queue.complete(db, t, {"x": 1}, [NewTask("ping", {"child": 1}, key="child-1"),
                                               NewTask("ping", {"child": 2}, key="child-2")])
    assert sorted(c.payload["child"] for c in created) == [1, 2]
    assert all(c.parent_id == parent.id for c in created)
    assert queue.get_task(db, parent.id).status == "succeeded"


def test_follow_ons_of_a_lost_lease_are_not_created(db):
    queue.enqueue(db, NewTask("ping"))
    [t] = queue.claim(db, ["ping"], 1, "r", 30)
    queue.cancel(db, [t.id])
    with pytest.raises(LeaseLost):
        queue.complete(db, t, {}, [NewTask("ping", key="orphan")])
    assert db.one("SELECT count(*) AS n FROM tasks WHERE idempotency_key = 'orphan'")["n"] == 0


def test_operator_retry_resets_attempts_and_cancel_stops(db):
    a, _ = queue.enqueue(db, NewTask("ping", max_attempts=1))
    [t] = queue.claim(db, ["ping"], 1, "r", 30)
    assert queue.fail(db, t, "x") == "dead"
    assert queue.retry(db, [a.id, 999999]) == [a.id]
    t = queue.get_task(db, a.id)
    assert (t.status, t.attempts) == ("queued", 0)
    assert queue.cancel(db, [a.id]) == [a.id]
    assert queue.claim(db, ["ping"], 1, "r", 30) == []
    actions = [r["action"] for r in db.execute("SELECT action FROM operator_actions ORDER BY id")]
    assert actions == ["retry", "cancel"]


def test_bulk_retry_of_failed_for_one_agent(db):
    ids = []
    for agent in ("ping", "ping", "other"):
        task, _ = queue.enqueue(db, NewTask(agent, max_attempts=1))
        [t] = queue.claim(db, [agent], 1, "r", 30)
        queue.fail(db, t, "x")
        ids.append(task.id)
    assert queue.retry_matching(db, agent="ping") == ids[:2]
    assert queue.get_task(db, ids[2]).status == "dead"


def test_paused_agent_is_not_claimed_until_resumed(db):
    queue.enqueue(db, NewTask("ping"))
    queue.set_agent_paused(db, "ping", True, "maintenance")
    assert queue.claim(db, ["ping"], 5, "r", 30) == []
    queue.set_agent_paused(db, "ping", False)
    assert len(queue.claim(db, ["ping"], 5, "r", 30)) == 1


def test_paused_site_holds_its_tasks(db):
    queue.enqueue(db, NewTask("apply", site="jobs.lever.co"))
    other, _ = queue.enqueue(db, NewTask("apply", site="boards.greenhouse.io"))
    db.execute("INSERT INTO sites (site, paused, pause_reason) VALUES ('jobs.lever.co', true, 'captcha')")
    assert [t.id for t in queue.claim(db, ["apply"], 5, "r", 30)] == [other.id]


def test_global_cap_holds_across_runners(db):
    queue.enqueue_many(db, [NewTask("apply") for _ in range(10)])
    got: list[int] = []
    lock = threading.Lock()

    def runner(n: int) -> None:
        tasks = queue.claim(db, ["apply"], 5, f"host-{n}", 30, caps={"apply": 2})
        with lock:
            got.extend(t.id for t in tasks)

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 2
    queue.set_agent_cap(db, "apply", 3)  # the operator's cap overrides the agent's default
    assert len(queue.claim(db, ["apply"], 5, "host-x", 30, caps={"apply": 2})) == 1


def test_release_gives_the_attempt_back(db):
    task, _ = queue.enqueue(db, NewTask("ping"))
    [t] = queue.claim(db, ["ping"], 1, "r", 30)
    assert t.attempts == 1
    assert queue.release(db, [t]) == 1
    t2 = queue.get_task(db, task.id)
    assert (t2.status, t2.attempts) == ("queued", 0)


def test_awaiting_approval_approve_with_edits_and_reject(db):
    a, _ = queue.enqueue(db, NewTask("apply", {"application_id": 1}))
    [t] = queue.claim(db, ["apply"], 1, "r", 30)
    queue.park(db, t, "awaiting_approval", "policy: always", result={"answer_sheet": {"fields": []}})
    assert queue.get_task(db, a.id).status == "awaiting_approval"
    approved = queue.approve(db, a.id, who="op@host", edits={"Notice period": "30 days"})
    assert approved.status == "queued"
    assert approved.payload["approval"]["edits"] == {"Notice period": "30 days"}
    assert approved.payload["approval"]["by"] == "op@host"
    with pytest.raises(NotFound):
        queue.approve(db, a.id)
    [t] = queue.claim(db, ["apply"], 1, "r", 30)
    queue.park(db, t, "needs_human", "required question without an answer: Visa status")
    rejected = queue.reject(db, a.id, "not a fit", who="op@host")
    assert rejected.status == "cancelled" and "not a fit" in rejected.last_error


def test_reaper_sends_a_marked_apply_task_to_unknown_outcome(db):
    db.execute("INSERT INTO candidates (id, full_name) VALUES (1, 'A')")
    db.execute("INSERT INTO jobs (id, canonical_key, source) VALUES (1, 'sandbox:x:1', 'sandbox')")
    db.execute("INSERT INTO applications (id, candidate_id, job_id, status) VALUES (1, 1, 1, 'applying')")
    task, _ = queue.enqueue(db, NewTask("apply", {"application_id": 1}, application_id=1))
    [t] = queue.claim(db, ["apply"], 1, "r", 30)
    db.execute("UPDATE applications SET submit_marker_at = now(), submit_marker_task = %s WHERE id = 1", (t.id,))
    _set_lease_past(db, t.id)
    assert queue.reap(db)["needs_human"] == 1
    assert queue.get_task(db, task.id).status == "needs_human"
    assert db.one("SELECT status FROM applications WHERE id = 1")["status"] == "unknown_outcome"
    assert queue.claim(db, ["apply"], 1, "r2", 30) == []  # never resubmitted automatically


def test_every_state_change_sends_notify(db):
    """The console hears every change; runners hear new work (``talvix_tasks``), never another runner's claims,
    and completions (``talvix_done``) only where an agent has a global cap."""
    with psycopg.connect(db.url, autocommit=True) as listener:
        listener.execute("LISTEN talvix_tasks")
        listener.execute("LISTEN talvix_events")
        listener.execute("LISTEN talvix_done")
        queue.enqueue(db, NewTask("ping"))
        [t] = queue.claim(db, ["ping"], 1, "r", 30)
        queue.complete(db, t, {})
        got = [(n.channel, n.payload) for n in listener.notifies(timeout=2, stop_after=4)]
    # enqueue: its event row, then the work; claim: the console only; completion: done.
    assert got == [("talvix_events", "ping"), ("talvix_tasks", "ping"), ("talvix_events", "ping"),
                   ("talvix_done", "ping")]


def test_counts_and_oldest_waiting_age(db):
    queue.enqueue(db, NewTask("ping"))
    db.execute("UPDATE tasks SET run_at = now() - interval '90 seconds'")
    queue.enqueue(db, NewTask("other"))
    counts = queue.counts_by_agent(db)
    assert counts == {"other": {"queued": 1}, "ping": {"queued": 1}}
    ages = queue.oldest_waiting_age(db)
    assert 89 <= ages["ping"] <= 200 and ages["other"] < 60


def test_events_are_paged_and_filtered(db):
    from core.browse.filters import EVENT_SPEC, parse_filter
    from core.browse.pages import event_page

    def page(text: str = "", **kw):
        return event_page(db, parse_filter(text, EVENT_SPEC), **kw)

    with db.connection() as conn:
        for i in range(30):
            queue.add_event(conn, f"message {i} {'[bold]' if i == 7 else ''}", agent="a" if i % 2 else "b",
                            level="error" if i % 10 == 0 else "info", candidate_id=5 if i < 3 else None)
    newest = page("agent:a", limit=5)
    assert [e["message"].split()[1] for e in newest] == ["21", "23", "25", "27", "29"]
    assert len(page("level:error")) == 3
    assert len(page("candidate:5")) == 3
    assert [e["message"] for e in page('"[bold]"')] == ["message 7 [bold]"]
    tail = page(after_id=newest[0]["id"] - 2)
    assert [e["id"] for e in tail] == sorted(e["id"] for e in tail) and tail[0]["id"] == newest[0]["id"] - 1
    counts = Counter(e["agent"] for e in page(limit=100))
    assert counts == {"a": 15, "b": 15}


def test_enqueue_many_keeps_order_and_existing_keys(db):
    existing, _ = queue.enqueue(db, NewTask("ping", {"n": 0}, key="a"))
    out = queue.enqueue_many(db, [NewTask("ping", {"n": 1}), NewTask("ping", {"n": 2}, key="a"),
                                  NewTask("ping", {"n": 3}, key="b"), NewTask("ping", {"n": 4}, key="b"),
                                  NewTask("ping", {"n": 5})])
    assert [c for _, c in out] == [True, False, True, False, True]
    assert out[1][0].id == existing.id and out[3][0].id == out[2][0].id
    assert [t.payload["n"] for t, _ in out] == [1, 0, 3, 3, 5]
    assert db.one("SELECT count(*) AS n FROM tasks")["n"] == 4
    assert db.one("SELECT count(*) AS n FROM events WHERE message = 'queued'")["n"] == 4
