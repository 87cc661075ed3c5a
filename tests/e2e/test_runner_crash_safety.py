"""Crash safety with real runner processes: SIGKILL mid-run, and Postgres stopping under the runners."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from core import queue
from core.db import Database, ensure_embedded, migrate, stop_embedded
from core.models import NewTask
from tests.support.common import REPO, wait_for
from tests.support.runner_procs import Fleet, RunnerProc, fast_env

pytestmark = pytest.mark.serial


def _counts(db: Database) -> dict[str, int]:
    return queue.counts_by_agent(db).get("ping", {})


def _succeeded_events_per_task(db: Database) -> dict[int, int]:
    rows = db.execute("""SELECT t.id, count(e.id) AS n FROM tasks t
                           LEFT JOIN events e ON e.task_id = t.id AND e.kind = 'state' AND e.message = 'succeeded'
                          GROUP BY t.id""")
    return {r["id"]: r["n"] for r in rows}


def _rescued_from(db: Database, pid: int) -> set[int]:
    """Tasks a runner (by pid) started that another runner then finished."""
    rows = db.execute("""SELECT DISTINCT s.task_id
                           FROM runners r
                           JOIN events s ON s.kind = 'state' AND s.message LIKE 'running%%' AND s.runner_id = r.id
                           JOIN events d ON d.kind = 'state' AND d.message = 'succeeded' AND d.task_id = s.task_id
                                        AND d.runner_id <> r.id
                          WHERE r.pid = %s""", (pid,))
    return {r["task_id"] for r in rows}


def _finished_by(db: Database, pid: int) -> set[int]:
    """Tasks a runner (by pid) completed itself."""
    rows = db.execute("""SELECT DISTINCT d.task_id FROM runners r
                           JOIN events d ON d.kind = 'state' AND d.message = 'succeeded' AND d.runner_id = r.id
                          WHERE r.pid = %s""", (pid,))
    return {r["task_id"] for r in rows}


def _running_held_by(db: Database, pid: int) -> set[int]:
    rows = db.execute("""SELECT t.id FROM tasks t JOIN runners r ON r.id = t.locked_by
                          WHERE t.status = 'running' AND r.pid = %s""", (pid,))
    return {r["id"] for r in rows}


def _busy_backends(db: Database, application_name: str) -> int:
    row = db.one("""SELECT count(*) AS n FROM pg_stat_activity
                     WHERE application_name = %s AND state = 'active'""", (application_name,))
    return row["n"] if row else 0


def _freeze_one_holding(db: Database, alive: list[RunnerProc], names: dict[int, str],
                        rng: random.Random) -> tuple[RunnerProc, set[int]] | None:
    """SIGSTOP a random live runner, wait until the server has finished what it had sent, and return it with
    the tasks it holds; a runner that holds none is let go on (SIGCONT) and None is returned."""
    if not alive:
        return None
    proc = rng.choice(alive)
    proc.signal(signal.SIGSTOP)
    wait_for(lambda: _busy_backends(db, names[proc.pid]) == 0, timeout=10, interval=0.01,
             message="the frozen runner's statements finished")
    held = _running_held_by(db, proc.pid)
    if held:
        return proc, held
    proc.signal(signal.SIGCONT)
    return None


def test_sigkilled_runners_lose_no_task(db, talvix_env, tmp_path):
    """3 runners, 1,000 pings; SIGKILL a runner three times while it holds tasks and start a new one each time:
    every task ends succeeded exactly once, and the killed runners' tasks were rescued by the reaper."""
    n = 1000
    queue.enqueue_many(db, [NewTask("ping", {"ms": 40}) for _ in range(n)])
    fleet = Fleet(fast_env(talvix_env, TALVIX_QUEUE__RUNNER_STALE_SECONDS="5"), tmp_path)
    rng = random.Random()
    args = ("--agents", "ping", "--concurrency", "8", "--no-schedule")
    names: dict[int, str] = {}

    def start() -> None:
        # Each runner's connections carry its own application name, so the test can see when its server
        # backends have nothing in flight.
        name = f"talvix-crash-{len(fleet.procs)}"
        proc = fleet.start(*args, env={"TALVIX_DATABASE__APPLICATION_NAME": name})
        names[proc.pid] = name

    try:
        for _ in range(3):
            start()
        thresholds = sorted(rng.sample(range(50, 500), 3))
        caught: dict[int, set[int]] = {}
        for threshold in thresholds:
            wait_for(lambda threshold=threshold: _counts(db).get("succeeded", 0) >= threshold, timeout=40,
                     message=f"{threshold} tasks succeeded")
            # The victim is a runner that holds tasks at the moment it dies. A runner finishes and claims
            # batches all the time, so it is frozen first (SIGSTOP), its statements already sent are let
            # finish, and only then is what it holds read: that set can no longer change. A runner caught
            # between batches is let go on and another is tried (a runner started after the last kill may
            # still be booting while the others drain the queue).
            victim, held = wait_for(lambda: _freeze_one_holding(db, fleet.alive(), names, rng), timeout=20,
                                    message="a runner frozen while holding tasks")
            victim.kill()
            caught[victim.pid] = held
            start()
        wait_for(lambda: _counts(db).get("succeeded", 0) == n, timeout=50, interval=0.2,
                 message="all tasks succeeded")
        assert _counts(db) == {"succeeded": n}
        # Exactly one completion per task: nothing lost, nothing completed twice.
        assert set(_succeeded_events_per_task(db).values()) == {1}
        # Each killed runner held tasks when it died; every one of those was rescued and finished by another
        # runner, but for a completion the runner had written to its socket just before it was frozen: the
        # server may read and commit that statement after the freeze (a frozen client cannot take back
        # what it sent), so such a task was finished, once, by the runner itself.
        rescued_any = False
        for pid, held in caught.items():
            left = held - _finished_by(db, pid)
            assert left <= _rescued_from(db, pid), f"tasks of killed runner {pid} were not all rerun elsewhere"
            rescued_any = rescued_any or bool(left)
        assert rescued_any, "no killed runner left a task for another runner to rescue"
        killed = list(caught)
        # The killed runners stopped heartbeating: the survivors' reapers mark them gone for the consoles.
        wait_for(lambda: {r["pid"] for r in db.execute("SELECT pid FROM runners WHERE status = 'gone'")} >= set(killed),
                 timeout=15, message="killed runners marked gone")
        codes = fleet.stop_all()
        assert [c for p, c in zip(fleet.procs, codes) if p.pid not in killed] == [0, 0, 0]
        assert db.one("SELECT count(*) AS n FROM runners WHERE status <> 'gone'")["n"] == 0
    finally:
        fleet.close()


def _restart_embedded(data_dir: Path) -> None:
    """Start the stopped server again from a fresh process (as an operator or systemd would)."""
    code = "import sys; from pathlib import Path; from core.db import ensure_embedded; ensure_embedded(Path(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", code, str(data_dir)], cwd=str(REPO), check=True, timeout=60,
                   capture_output=True)


def test_runners_reconnect_after_postgres_restarts(talvix_env, tmp_path):
    """Postgres stops mid-run and comes back: the runners back off, reconnect and finish every task once."""
    pg_dir = tmp_path / "pg"
    url = ensure_embedded(pg_dir)
    db = Database(url, min_size=1, max_size=4)
    try:
        db.pool.wait(10)
        migrate(db)
        n = 400
        queue.enqueue_many(db, [NewTask("ping", {"ms": 25}) for _ in range(n)])
        env = fast_env(talvix_env, TALVIX_DATABASE_URL=url, TALVIX_DATABASE__CONNECT_TIMEOUT_S="2")
        fleet = Fleet(env, tmp_path)
        try:
            for _ in range(2):
                fleet.start("--agents", "ping", "--concurrency", "4", "--no-schedule")
            wait_for(lambda: _counts(db).get("succeeded", 0) >= 80, timeout=40, message="work under way")
            assert stop_embedded(pg_dir)
            with_errors = wait_for(
                lambda: all(any(line.get("event") == "runner.db_unavailable" for line in p.lines())
                            for p in fleet.procs),
                timeout=20, message="both runners noticed the database is gone")
            assert with_errors and all(p.alive() for p in fleet.procs)
            _restart_embedded(pg_dir)
            wait_for(lambda: _try_counts(db).get("succeeded", 0) == n, timeout=60, interval=0.2,
                     message="all tasks succeeded after the restart")
            assert _counts(db) == {"succeeded": n}
            assert set(_succeeded_events_per_task(db).values()) == {1}
            for p in fleet.procs:
                p.signal(signal.SIGTERM)
            assert [p.wait(30) for p in fleet.procs] == [0, 0]
        finally:
            fleet.close()
    finally:
        db.close()
        stop_embedded(pg_dir)


def _try_counts(db: Database) -> dict[str, int]:
    try:
        return _counts(db)
    except (psycopg.Error, Exception):
        return {}
