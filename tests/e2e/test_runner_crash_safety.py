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
from tests.support.runner_procs import Fleet, fast_env

pytestmark = pytest.mark.serial


def _counts(db: Database) -> dict[str, int]:
    return queue.counts_by_agent(db).get("ping", {})


def _succeeded_events_per_task(db: Database) -> dict[int, int]:
    rows = db.execute("""SELECT t.id, count(e.id) AS n FROM tasks t
                           LEFT JOIN events e ON e.task_id = t.id AND e.kind = 'state' AND e.message = 'succeeded'
                          GROUP BY t.id""")
    return {r["id"]: r["n"] for r in rows}


def _rescued_from(db: Database, pid: int) -> int:
    """Tasks a runner (by pid) started that another runner then finished."""
    row = db.one("""SELECT count(DISTINCT s.task_id) AS n
                      FROM runners r
                      JOIN events s ON s.kind = 'state' AND s.message LIKE 'running%%' AND s.runner_id = r.id
                      JOIN events d ON d.kind = 'state' AND d.message = 'succeeded' AND d.task_id = s.task_id
                                   AND d.runner_id <> r.id
                     WHERE r.pid = %s""", (pid,))
    return row["n"] if row else 0


def _running_held_by(db: Database, pid: int) -> int:
    row = db.one("""SELECT count(*) AS n FROM tasks t JOIN runners r ON r.id = t.locked_by
                     WHERE t.status = 'running' AND r.pid = %s""", (pid,))
    return row["n"] if row else 0


def test_sigkilled_runners_lose_no_task(db, talvix_env, tmp_path):
    """3 runners, 1,000 pings; SIGKILL a runner three times while it holds tasks and start a new one each time:
    every task ends succeeded exactly once, and the killed runners' tasks were rescued by the reaper."""
    n = 1000
    queue.enqueue_many(db, [NewTask("ping", {"ms": 40}) for _ in range(n)])
    fleet = Fleet(fast_env(talvix_env, TALVIX_QUEUE__RUNNER_STALE_SECONDS="5"), tmp_path)
    rng = random.Random()
    args = ("--agents", "ping", "--concurrency", "8", "--no-schedule")
    try:
        for _ in range(3):
            fleet.start(*args)
        thresholds = sorted(rng.sample(range(50, 500), 3))
        killed = []
        for threshold in thresholds:
            wait_for(lambda threshold=threshold: _counts(db).get("succeeded", 0) >= threshold, timeout=40,
                     message=f"{threshold} tasks succeeded")
            # The victim is a runner that holds tasks now (a runner started after the last kill may still be
            # booting while the others drain the queue).
            holding = wait_for(lambda: [p for p in fleet.alive() if _running_held_by(db, p.pid) > 0], timeout=20,
                               message="a runner holding tasks")
            victim = rng.choice(holding)
            victim.kill()
            killed.append(victim.pid)
            fleet.start(*args)
        wait_for(lambda: _counts(db).get("succeeded", 0) == n, timeout=50, interval=0.2,
                 message="all tasks succeeded")
        assert _counts(db) == {"succeeded": n}
        # Exactly one completion per task: nothing lost, nothing completed twice.
        assert set(_succeeded_events_per_task(db).values()) == {1}
        # Each killed runner held tasks; each of those was rescued and finished by another runner.
        for pid in killed:
            assert _rescued_from(db, pid) > 0, f"tasks of killed runner {pid} were not rerun elsewhere"
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
