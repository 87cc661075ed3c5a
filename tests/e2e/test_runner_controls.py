"""Runners obey operators on any host: pause/resume, global caps, per-agent per-runner concurrency."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from agents.ping import Ping
from core import queue
from core.models import NewTask
from runners.runner import Runner
from tests.support.common import settings_with, wait_for
from tests.support.runner_procs import Fleet, fast_env


def _max_overlap(intervals: list[tuple[datetime, datetime]]) -> int:
    """Most tasks running at the same instant, from their started/finished times."""
    points = [(s, 1) for s, _ in intervals] + [(f, -1) for _, f in intervals]
    best = cur = 0
    for _, step in sorted(points, key=lambda p: (p[0], p[1])):  # a finish before a start at the same instant
        cur += step
        best = max(best, cur)
    return best


def _intervals(db, since: datetime | None = None) -> list[tuple[datetime, datetime]]:
    rows = db.execute("""SELECT started_at, finished_at FROM tasks
                          WHERE status = 'succeeded' AND (%s::timestamptz IS NULL OR started_at > %s)""",
                      (since, since))
    return [(r["started_at"], r["finished_at"]) for r in rows]


def _status(db, status: str) -> int:
    return db.one("SELECT count(*) AS n FROM tasks WHERE status = %s", (status,))["n"]


def test_pause_from_another_process_stops_claiming_within_5s_and_resume_restarts(db, talvix_env, tmp_path,
                                                                                  run_talvix):
    # Enough work that the runners are still busy when the pause lands, however slowly `talvix pause` starts.
    n = 1000
    queue.enqueue_many(db, [NewTask("ping", {"ms": 100}) for _ in range(n)])
    fleet = Fleet(fast_env(talvix_env), tmp_path)
    try:
        for _ in range(2):
            fleet.start("--agents", "ping", "--concurrency", "4", "--no-schedule")
        wait_for(lambda: _status(db, "succeeded") >= 20, timeout=30, message="work under way")
        assert run_talvix("pause", "ping", "--reason", "site maintenance").returncode == 0
        # The pause has committed by now: no claim that starts after this instant may take a ping.
        paused_at = db.one("SELECT now() AS t")["t"]
        # In-flight tasks finish; nothing new is claimed.
        wait_for(lambda: _status(db, "running") == 0, timeout=5, message="no ping running within 5 s of the pause")
        # Both runners stay alive and keep polling for two more seconds while paused...
        wait_for(lambda: db.one("""SELECT count(*) AS n FROM runners WHERE status = 'running'
                                     AND heartbeat_at > %s""", (paused_at + timedelta(seconds=2),))["n"] == 2,
                 timeout=15, message="both runners heartbeating while paused")
        # ...without claiming anything.
        assert db.one("SELECT count(*) AS n FROM tasks WHERE started_at > %s", (paused_at,))["n"] == 0
        assert _status(db, "queued") > 0, "the work ran out before the pause: the test proves nothing"
        assert run_talvix("resume", "ping").returncode == 0
        wait_for(lambda: _status(db, "succeeded") == n, timeout=90, interval=0.2, message="all succeeded after resume")
        assert fleet.stop_all() == [0, 0]
    finally:
        fleet.close()


class _RunningSampler:
    """Counts running pings from its own connection every few milliseconds (each count is one consistent
    snapshot), so a test can assert the most that ever ran at once."""

    def __init__(self, db) -> None:
        self.db = db
        self.samples: list[tuple[float, int]] = []
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            try:
                n = self.db.one("SELECT count(*) AS n FROM tasks WHERE agent = 'ping' AND status = 'running'")["n"]
            except Exception as exc:  # a slow moment on a loaded machine must not end the sampling
                self.errors.append(exc)
                continue
            self.samples.append((time.monotonic(), n))

    def __enter__(self) -> _RunningSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def max_between(self, start: float, end: float = float("inf")) -> int:
        return max((n for t, n in self.samples if start <= t <= end), default=0)


def test_global_cap_set_from_another_process_holds_across_runners(db, talvix_env, tmp_path, run_talvix):
    # Enough work that the runners are still busy when the cap lands, however slowly `talvix cap` starts.
    n = 1000
    queue.enqueue_many(db, [NewTask("ping", {"ms": 100}) for _ in range(n)])
    fleet = Fleet(fast_env(talvix_env), tmp_path)
    try:
        with _RunningSampler(db) as sampler:
            begin = time.monotonic()
            for _ in range(2):
                fleet.start("--agents", "ping", "--concurrency", "4", "--no-schedule")
            wait_for(lambda: _status(db, "succeeded") >= 30, timeout=30, message="work under way")
            assert sampler.max_between(begin) > 2, "without a cap, both runners run several pings at once"
            assert run_talvix("cap", "ping", "2").returncode == 0
            # Pings claimed before the cap finish (100 ms); from then on at most 2 run at once, on any runner.
            wait_for(lambda: _status(db, "running") <= 2, timeout=5, message="uncapped pings drained")
            capped = time.monotonic()
            at_cap = _status(db, "succeeded")
            assert _status(db, "queued") > 0, "the work ran out before the cap: the test proves nothing"
            # 40 more pings under the cap: about two seconds at 2 x 100 ms.
            wait_for(lambda: _status(db, "succeeded") >= at_cap + 40, timeout=60, interval=0.2,
                     message="40 pings under the cap")
            done = time.monotonic()
        assert len([1 for t, _ in sampler.samples if capped <= t <= done]) > 50
        assert sampler.max_between(capped, done) == 2
        assert fleet.stop_all() == [0, 0]
        assert _status(db, "running") == 0  # stopped runners handed back what they held
    finally:
        fleet.close()


class _CountingPing(Ping):
    """ping that records how many of its handlers run at the same moment."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = self.most = 0

    def handle(self, payload, ctx):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            return super().handle(payload, ctx)
        finally:
            with self.lock:
                self.now -= 1


def test_per_agent_concurrency_setting_limits_one_runner(db, settings):
    """agents.ping.concurrency = 2: at most two ping handlers at once in this runner (the runner's own
    concurrency is 8). A task whose handler has returned is only having its outcome written and holds no
    slot, so in the database at most two more are still `running` while their completions commit."""
    capped = settings_with(settings, agents={"ping": {"concurrency": 2}})
    queue.enqueue_many(db, [NewTask("ping", {"ms": 80}) for _ in range(16)])
    runner = Runner(capped, db, agents=["ping"], concurrency=8, reap=False)
    counting = runner.agents["ping"] = _CountingPing()
    runner.start()
    try:
        wait_for(lambda: _status(db, "succeeded") == 16, timeout=30, message="all succeeded")
    finally:
        runner.stop(grace_s=5)
    assert counting.most == 2
    assert 2 <= _max_overlap(_intervals(db)) <= 4


def test_local_pause_of_an_in_process_runner(db, settings):
    """The console pauses its own runner: it stops claiming but the agent stays available to other runners."""
    runner = Runner(settings, db, agents=["ping"], concurrency=2, reap=False).start()
    try:
        runner.pause()
        task, _ = queue.enqueue(db, NewTask("ping", {"ms": 1}))
        runner.beat()  # proves the runner is alive and talking to the database
        assert queue.get_task(db, task.id).status == "queued"
        runner.resume()
        wait_for(lambda: queue.get_task(db, task.id).status == "succeeded", timeout=10, message="claimed on resume")
    finally:
        runner.stop(grace_s=5)
