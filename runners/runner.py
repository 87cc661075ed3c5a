"""The runner: one class used inside the console and headless on servers.

It registers itself (host, pid, agents, version, heartbeat) so every console lists it, claims tasks for
its agents up to its concurrency (on a pool of task threads; an agent may cap its own concurrency per
runner and globally), extends leases by heartbeat, and on stop releases what it could not finish without
counting an attempt. A runner that dies without stopping leaves leases that expire; every runner runs the
reaper, so another one rescues them.

Threads, each with one job:

- *claim*: claims while there is room, then waits for a wake-up (a task finished, a NOTIFY, or the poll
  interval). Database errors back it off (0.5 s doubling to 10 s) until the server answers again.
- *listen*: a LISTEN connection on ``talvix_tasks`` (new work; and ``talvix_done``, completions, when an
  agent has a global cap); a NOTIFY for one of our agents wakes the claimer. NOTIFY is only a hint: the
  claimer also polls, and polls at once after the listener reconnects.
- *heartbeat*: refreshes the runner row and extends the leases of running tasks. A task whose lease
  was lost (reaped, cancelled) gets its cancel event set; the fenced writes refuse its result.
- *reaper*: rescues tasks with expired leases or dead runners (``core.queue.reap``) and marks runners
  whose heartbeat went stale as gone, so rescue does not depend on any scheduler.
- *task* threads: a pool that runs claimed tasks, one task per thread at a time, from one line of
  waiting tasks. A thread that finished a task takes the next, so a wave of short tasks runs on the
  threads already awake; a task that has waited 2 ms is handed to another thread (an idle one, else a new
  one), so a handler that ignores cancellation delays another task by at most that. Idle threads end when
  the runner stops. Daemon threads: an agent that ignores cancellation cannot keep a stopping process
  alive; its lease is released and its late result is refused by the fence.
- *completer*: the group completer's writer (``core.queue.GroupCompleter``): plain successes are handed to
  it and the task thread goes on; it writes everything that has arrived in one statement and one commit,
  each task fenced on its own, then logs each outcome.

Short tasks are claimed and completed in batches: after a task finishes, the claimer waits a few
milliseconds (``CLAIM_LINGER_S``) while some of the runner's slots are taken, so one claim statement
fills every slot. Concurrency counts handlers (:attr:`Runner.handling`): a task whose handler returned is
``finishing`` and frees its slot at once, so the next claim overlaps the last batch's commit; it stays in
``_running`` (beats, stop) until written.
"""

from __future__ import annotations

import collections
import logging
import os
import random
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from pydantic import ValidationError

from agents import registry
from core import fleet, queue
from core.agent import Agent, AgentContext, AgentResult
from core.config import Settings
from core.db import Database, Listener, redact
from core.errors import (
    AwaitingApproval,
    DatabaseUnavailable,
    LeaseLost,
    NeedsHuman,
    PermanentError,
    RetryLater,
    TalvixError,
)
from core.models import Task
from core.safetext import clean
from core.storage import Storage
from runners.logs import _LEVELS, install_json_logging

log = logging.getLogger("talvix.runner")
agent_log = logging.getLogger("talvix.agent")


# A library logs nowhere until its host says where: the headless command installs JSON lines on stdout,
# the console its own handler. (Without this, warnings would go to stderr over a Textual screen.)
logging.getLogger("talvix").addHandler(logging.NullHandler())


VERSION = "0.1.0"

#: How long the claimer waits for every slot to be free before claiming fewer than all of them.
CLAIM_LINGER_S = 0.005


#: Errors that mean "the database did not answer": back off and try again.
DB_ERRORS: tuple[type[BaseException], ...] = (psycopg.OperationalError, psycopg.InterfaceError, DatabaseUnavailable)




def _first_line(exc: BaseException) -> str:
    text = redact(str(exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ------------------------------------------------------------------------------------------------
# The task threads
# ------------------------------------------------------------------------------------------------
class _TaskPool:
    """Threads that run submitted calls, one at a time each, from one shared line of waiting calls.

    A thread that finishes a call takes the next waiting one, so a wave of short calls runs on the threads
    that are already awake instead of waking a thread per call. No call waits long behind a busy thread:
    while calls wait, a watchdog hands the oldest one to another thread (an idle one, else a new one) once
    it has waited ``handoff_s``, so a handler that ignores cancellation delays another task by at most
    that, and keeps only its own thread.
    """

    def __init__(self, name: str, handoff_s: float = 0.002) -> None:
        self._name = name
        self._handoff_s = handoff_s
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)  # a waiting thread is woken for a call
        self._watch = threading.Condition(self._lock)  # the watchdog is woken when calls start waiting
        self._calls: collections.deque[tuple[float, Callable[[], None]]] = collections.deque()
        self._idle = 0      # threads waiting for a call
        self._woken = 0     # of those, already woken for a call they have not taken yet
        self._threads = 0
        self._closed = False
        self._watchdog: threading.Thread | None = None
        self._watch_asleep = False

    def submit_many(self, fns: list[Callable[[], None]]) -> None:
        if not fns:
            return
        now = time.monotonic()
        with self._lock:
            if self._closed:  # a claim that raced stop(): its tasks still run (and find the fence closed)
                for fn in fns:
                    threading.Thread(target=fn, name=f"{self._name}-late", daemon=True).start()
                return
            self._calls.extend((now, fn) for fn in fns)
            # One thread is woken (or started) for the wave; the watchdog adds more if calls wait too long.
            self._hand_off()
            if self._watchdog is None:
                self._watchdog = threading.Thread(target=self._watch_loop, name=f"{self._name}-watchdog",
                                                  daemon=True)
                self._watchdog.start()
            elif self._watch_asleep:  # otherwise it is timing a wait already and looks again when it ends
                self._watch.notify()

    def submit(self, fn: Callable[[], None]) -> None:
        self.submit_many([fn])

    def _hand_off(self) -> None:
        """Under the lock: make sure one more thread is coming for the waiting calls."""
        if self._idle > self._woken:
            self._woken += 1
            self._work.notify()
        else:
            self._threads += 1
            threading.Thread(target=self._serve, name=f"{self._name}-{self._threads}", daemon=True).start()

    def _watch_loop(self) -> None:
        with self._lock:
            while not self._closed:
                if not self._calls:
                    self._watch_asleep = True
                    self._watch.wait()
                    self._watch_asleep = False
                    continue
                waited = time.monotonic() - self._calls[0][0]
                if waited < self._handoff_s:
                    self._watch.wait(self._handoff_s - waited)
                    continue
                # The oldest call has waited: every thread awake is busy. One more thread takes it.
                head = self._calls[0]
                self._hand_off()
                while self._calls and self._calls[0] is head and not self._closed:
                    self._watch.wait(self._handoff_s)  # give that thread time to take it
            self._watchdog = None

    def _serve(self) -> None:
        while True:
            with self._lock:
                while not self._calls:
                    if self._closed:
                        self._threads -= 1
                        return
                    self._idle += 1
                    self._work.wait()
                    self._idle -= 1
                    if self._woken:
                        self._woken -= 1
                _, fn = self._calls.popleft()
            try:
                fn()
            except Exception:  # pragma: no cover - _execute handles its own errors
                log.exception("a task thread failed")

    def close(self) -> None:
        """Idle threads end now, busy ones when their call returns (after the calls still waiting)."""
        with self._lock:
            self._closed = True
            self._work.notify_all()
            self._watch.notify_all()

    @property
    def threads(self) -> int:
        with self._lock:
            return self._threads


# ------------------------------------------------------------------------------------------------
# The runner
# ------------------------------------------------------------------------------------------------
@dataclass
class _Running:
    task: Task
    cancel: threading.Event
    lease_s: float
    started: float = field(default_factory=time.monotonic)
    #: Set once the handler returned and its outcome is being written: stop() then waits instead of releasing.
    finishing: bool = False
    #: Why ``cancel`` was set: "stopping" (released by stop()) or "lease lost" (reaped or cancelled elsewhere).
    reason: str = ""
    #: A plain success's result, handed to the group completer.
    result: dict[str, Any] | None = None


class Runner:
    """Claims and runs tasks for a set of agents. ``start()`` then ``stop()``; safe to use from a UI."""

    def __init__(self, settings: Settings, db: Database, *, agents: list[str] | None = None,
                 concurrency: int | None = None, mode: str = "headless", json_logs: bool = False,
                 storage: Storage | None = None, llm: Any = None,
                 on_change: Callable[[], None] | None = None, listen: bool = True,
                 reap: bool = True) -> None:
        reg = registry()
        names = list(dict.fromkeys(agents or settings.runner.agents or list(reg)))
        unknown = [a for a in names if a not in reg]
        if unknown:
            raise TalvixError(f"unknown agent(s): {', '.join(unknown)}; known: {', '.join(reg)}")
        self.settings = settings
        self.db = db
        # Plain successes are written by the completer's own thread, as many in one statement and one commit
        # as have arrived; the task thread goes on to its next task meanwhile.
        self._completer = queue.GroupCompleter(db, after_group=self._notify_change)
        self.agents: dict[str, Agent] = {a: reg[a] for a in names}
        self.concurrency = int(concurrency or settings.runner.concurrency)
        if self.concurrency < 1:
            raise TalvixError("runner concurrency must be at least 1")
        self.mode = mode
        self.json_logs = json_logs
        self.storage = storage or Storage.from_settings(settings)
        self.llm = llm
        self.on_change = on_change
        self.listen = listen
        self.reap_enabled = reap
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.id = f"{self.host}:{self.pid}:{uuid.uuid4().hex[:6]}"
        self._running: dict[int, _Running] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._force = threading.Event()
        self._done = threading.Event()  # stop() has released what it had to: heartbeats end
        self._wake = threading.Event()
        #: Set while some agent had no room at the last claim: a handler returning wakes the claimer.
        self._waiting_for_room = False
        self._paused_local = False
        #: Held by the claimer from its look at the pause and stop flags until the tasks it claimed are
        #: running here: pause() and stop() take it, so once they return no claim is still in flight.
        self._claiming = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._pool = _TaskPool("talvix-task")
        self._listener: Listener | None = None
        self._started = False
        self._stopped = False
        self.completed = 0
        self.failed = 0
        self.released = 0
        self.last_error: str | None = None
        #: Set by any failed database call (claim, heartbeat, reaper); the next success logs ``runner.db_back``.
        self._db_down = False

    # -------------------------------------------------------------------------------------------
    # Lifecycle
    # -------------------------------------------------------------------------------------------
    def start(self) -> Runner:
        """Register, then start claiming. Raises if the database cannot be reached at all."""
        if self._started:
            return self
        if self.json_logs:
            install_json_logging(self.settings.log_level)
        self.storage.ensure()
        self._register()
        self._started = True
        loops: list[tuple[Callable[[], None], str]] = [(self._claim_loop, "claim"), (self._heartbeat_loop, "heartbeat")]
        if self.listen:
            loops.append((self._listen_loop, "listen"))
        if self.reap_enabled:
            loops.append((self._reaper_loop, "reaper"))
        for target, name in loops:
            t = threading.Thread(target=target, name=f"talvix-runner-{name}", daemon=True)
            t.start()
            self._threads.append(t)
        log.info("runner started", extra={"fields": {
            "event": "runner.started", "runner": self.id, "host": self.host, "pid": self.pid,
            "agents": list(self.agents), "concurrency": self.concurrency, "version": VERSION}})
        self._record_event("runner started: " + ", ".join(self.agents) + f" x{self.concurrency}")
        return self

    @property
    def active(self) -> int:
        with self._lock:
            return len(self._running)

    @property
    def handling(self) -> int:
        """Tasks whose handler runs now: what ``concurrency`` bounds. A task whose handler has returned and
        whose outcome is being written (``finishing``) holds no slot, so the next claim goes out while the
        last batch's completions commit; such a task is still this runner's (beats, stop) until written."""
        with self._lock:
            return len(self._handlers())

    def _handlers(self) -> list[_Running]:
        """Under ``_lock``: the held tasks whose handler has not returned yet."""
        return [r for r in self._running.values() if not r.finishing]

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def pause(self) -> None:
        """Stop claiming new tasks in this runner only (running ones finish). Agents are paused globally with
        :func:`core.queue.set_agent_paused`.

        Once this returns no claim is in flight: a claim that had started before the pause has put its tasks
        among the running ones, and every later one sees the pause."""
        self._paused_local = True
        self._wait_for_claim()

    def _wait_for_claim(self, timeout_s: float = 30.0) -> None:
        """Wait (bounded: a claim against a database that stopped answering may hang) for the claim in flight."""
        if self._claiming.acquire(timeout=timeout_s):
            self._claiming.release()

    def resume(self) -> None:
        self._paused_local = False
        self._wake.set()

    @property
    def paused(self) -> bool:
        return self._paused_local

    def wake(self) -> None:
        self._wake.set()

    def force_stop(self) -> None:
        """Cut the grace period short (a second SIGTERM/SIGINT): release what still runs now."""
        self._force.set()

    def idle(self) -> bool:
        """Nothing of our agents is running anywhere or claimable now, and this runner holds nothing."""
        if self.active:
            return False
        try:
            return fleet.work_left(self.db, list(self.agents)) == 0 and self.active == 0
        except DB_ERRORS + (psycopg.Error,):
            return False

    def stop(self, grace_s: float | None = None) -> int:
        """Stop claiming, let running tasks finish within the grace period, release the rest.

        Released tasks go back to ``queued`` without counting the attempt. Returns how many were released.
        """
        if self._stopped:
            return 0
        self._stopped = True
        grace = self.settings.runner.grace_seconds if grace_s is None else grace_s
        self._stop.set()
        self._wake.set()
        # A claim in flight finishes first, so the tasks it took are among the running ones below (run in
        # the grace period or released), never left 'running' under a runner that is gone.
        self._wait_for_claim()
        if self._started:
            self._set_status("stopping")
        log.info("runner stopping", extra={"fields": {"event": "runner.stopping", "runner": self.id,
                                                      "running": self.active, "grace_s": grace}})
        deadline = time.monotonic() + grace
        while self.active and time.monotonic() < deadline and not self._force.is_set():
            time.sleep(0.02)
        with self._lock:
            left = self._handlers()
        released = 0
        if left:
            # Release first, then cancel: a handler that returns after this point finds the fence closed, so
            # work cut short by the stop is never recorded as done.
            released = self._write_until_done(
                lambda: queue.release(self.db, [r.task for r in left], f"runner {self.id} stopped"),
                deadline_s=15.0)
            released = released if isinstance(released, int) else 0  # lost/gave up: leases expire instead
        for r in left:
            r.reason = "stopping"
            r.cancel.set()
        self.released += released
        # Outcomes already being written get a short while to land; anything else is left to its lease.
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline and any(r.finishing for r in self._snapshot_running()):
            time.sleep(0.02)
        self._done.set()
        for t in self._threads:
            t.join(timeout=5)
        self._pool.close()
        if self._listener is not None:
            self._listener.close()
        if self._started:
            self._set_status("gone")
            self._record_event(f"runner stopped: released {released} task(s)")
        log.info("runner stopped", extra={"fields": {
            "event": "runner.stopped", "runner": self.id, "released": released, "completed": self.completed,
            "failed": self.failed}})
        return released

    def _snapshot_running(self) -> list[_Running]:
        with self._lock:
            return list(self._running.values())

    # -------------------------------------------------------------------------------------------
    # Registration and heartbeats
    # -------------------------------------------------------------------------------------------
    def _register(self) -> None:
        fleet.register(self.db, (self.id, self.host, self.pid, list(self.agents), self.concurrency, VERSION,
                                    self.mode, Jsonb({"python": sys.version.split()[0]})))

    def _set_status(self, status: str) -> None:
        try:
            fleet.set_status(self.db, self.id, status)
        except (psycopg.Error, TalvixError) as exc:
            log.warning("could not record runner status %s: %s", status, _first_line(exc))

    def _record_event(self, message: str, level: str = "info") -> None:
        try:
            with self.db.connection() as conn:
                queue.add_event(conn, message, level=level, kind="runner", runner_id=self.id)
        except (psycopg.Error, TalvixError) as exc:
            log.warning("could not record a runner event: %s", _first_line(exc))

    def _heartbeat_every(self) -> float:
        """Beat at the configured interval, but at least three times per shortest lease."""
        leases = [self._lease_for(a) for a in self.agents.values()] or [self._lease_for(None)]
        return max(0.2, min(float(self.settings.queue.heartbeat_seconds), min(leases) / 3.0))

    def _heartbeat_loop(self) -> None:
        every = self._heartbeat_every()
        # Beats go on through the grace period: tasks finishing after a SIGTERM keep their leases.
        while not self._done.wait(every):
            self.beat()

    def beat(self) -> None:
        """One heartbeat: refresh the runner row, extend every held lease, cancel tasks whose lease is gone."""
        try:
            if not fleet.beat(self.db, self.id) and not self._stop.is_set() and self._started:
                # Another runner marked us gone (we were unreachable too long): come back.
                self._register()
                log.warning("runner row was marked gone; registered again",
                            extra={"fields": {"event": "runner.reregistered", "runner": self.id}})
            by_lease: dict[float, list[_Running]] = {}
            for r in self._snapshot_running():
                by_lease.setdefault(r.lease_s, []).append(r)
            for lease, group in by_lease.items():
                still = queue.heartbeat(self.db, self.id, [(r.task.id, r.task.attempts) for r in group], lease)
                for r in group:
                    # A task whose handler returned is being written: its completion may have committed
                    # between the snapshot and the beat, and a lost lease then shows in that write.
                    if r.task.id not in still and not r.cancel.is_set() and not r.finishing:
                        r.reason = "lease lost"
                        r.cancel.set()  # the worker must stop without side effects
                        log.warning("task lost its lease", extra={"fields": {
                            "event": "task.lease_lost", "runner": self.id, "task": r.task.id, "agent": r.task.agent}})
            self._db_back()
        except (psycopg.Error, TalvixError) as exc:
            self.last_error = f"heartbeat failed: {_first_line(exc)}"
            self._db_down = True
            log.warning(self.last_error, extra={"fields": {"event": "runner.db_unavailable", "runner": self.id}})

    def _db_back(self) -> None:
        """After any database call that worked: end an outage seen by any loop, logging it once."""
        with self._lock:
            if not self._db_down:
                return
            self._db_down = False
            self.last_error = None
        log.info("database reachable again", extra={"fields": {"event": "runner.db_back", "runner": self.id}})

    def _lease_for(self, agent: Agent | None) -> float:
        lease = self.settings.queue.lease_seconds
        if agent is not None:
            lease = self.settings.agent_settings(agent.name).lease_seconds or agent.lease_seconds or lease
        return float(lease)

    # -------------------------------------------------------------------------------------------
    # Wake-ups and the reaper
    # -------------------------------------------------------------------------------------------
    def _listen_loop(self) -> None:
        # New work is announced on talvix_tasks. A completion (talvix_done) frees a slot only under a global
        # cap, so only a runner of a capped agent listens to it; an operator's cap on another agent is seen
        # at the next poll.
        capped = any(a.global_concurrency is not None for a in self.agents.values())
        self._listener = Listener(self.db.url, [queue.CHANNEL_TASKS, *([queue.CHANNEL_DONE] if capped else [])])
        warned = False
        while not self._stop.is_set():
            got = self._listener.wait(1.0)
            if got and ("*" in got or not got.isdisjoint(self.agents)):
                self._wake.set()
            if self._listener.warning and not warned:
                log.warning(self._listener.warning, extra={"fields": {"event": "runner.listen", "runner": self.id}})
                warned = True
            elif not self._listener.warning:
                warned = False
            if not self._listener.available:
                return  # a transaction pooler: polling only

    def _reaper_loop(self) -> None:
        every = float(self.settings.queue.reaper_seconds)
        # A random first delay spreads the reapers of runners started together.
        wait = random.uniform(0.1, every)
        while not self._stop.wait(wait):
            self.reap_once()
            wait = every * random.uniform(0.8, 1.2)

    def reap_once(self) -> dict[str, int]:
        """Rescue tasks of dead runners and expired leases; cheap (SKIP LOCKED), safe on every host."""
        q = self.settings.queue
        try:
            gone = fleet.mark_stale_gone(self.db, q.runner_stale_seconds)
            counts = queue.reap(self.db, runner_stale_s=q.runner_stale_seconds, backoff_base=q.backoff_base_seconds)
        except (psycopg.Error, TalvixError) as exc:
            self._db_down = True
            log.warning("reaper could not run: %s", _first_line(exc),
                        extra={"fields": {"event": "runner.db_unavailable", "runner": self.id}})
            return {}
        self._db_back()
        rescued = {k: v for k, v in counts.items() if v}
        if rescued or gone:
            log.warning("reaper rescued tasks", extra={"fields": {
                "event": "reaper", "runner": self.id, "rescued": rescued, "runners_gone": gone}})
            self._wake.set()
        return counts

    # -------------------------------------------------------------------------------------------
    # Claiming
    # -------------------------------------------------------------------------------------------
    def _room(self) -> dict[str, int]:
        """Free slots per agent in this runner (its own concurrency and each agent's per-runner cap)."""
        with self._lock:
            per_agent: dict[str, int] = {}
            handling = self._handlers()
            for r in handling:
                per_agent[r.task.agent] = per_agent.get(r.task.agent, 0) + 1
            free = self.concurrency - len(handling)
        room = {}
        for name, agent in self.agents.items():
            own = self.settings.agent_settings(name).concurrency or agent.default_concurrency
            room[name] = max(0, min(free, own - per_agent.get(name, 0)))
        return room

    def _claim_loop(self) -> None:
        backoff = 0.5
        poll = self.settings.queue.poll_seconds
        while not self._stop.is_set():
            got = 0
            try:
                with self._claiming:
                    if not self._paused_local and not self._stop.is_set():
                        self._linger()
                        got = self._claim_once()
                self._db_back()
                backoff = 0.5
            except (psycopg.Error, TalvixError) as exc:
                self.last_error = f"database unavailable: {_first_line(exc)}"
                self._db_down = True
                log.warning("%s; retrying in %.1fs", self.last_error, backoff,
                            extra={"fields": {"event": "runner.db_unavailable", "runner": self.id}})
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            if got:
                continue  # there may be more: claim again at once while there is room
            self._wake.wait(poll)
            self._wake.clear()

    def _linger(self) -> None:
        """While tasks run and some slots are taken, wait a moment (``CLAIM_LINGER_S``) for them to free up,
        so one claim fills every slot (short tasks finish within milliseconds of each other)."""
        deadline = time.monotonic() + CLAIM_LINGER_S
        want = self.concurrency
        while not self._stop.is_set():
            active = self.handling
            if active == 0 or self.concurrency - active >= want:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._wake.wait(left)
            self._wake.clear()

    def _claim_once(self) -> int:
        if self._stop.is_set():
            return 0
        with self._lock:
            self._waiting_for_room = True  # a handler returning from now on wakes the claimer
        room = self._room()
        wanted = [a for a, n in room.items() if n > 0]
        if not wanted:
            return 0
        if len(wanted) == len(room):
            with self._lock:
                # Every agent had room: a slot freed meanwhile is taken by the next claim after the linger.
                # (An agent at its own limit keeps the flag: its handlers' returns wake the claimer.)
                self._waiting_for_room = False
        caps = {a: self.agents[a].global_concurrency for a in wanted
                if self.agents[a].global_concurrency is not None}
        # Agents with the same room and lease share one claim statement; otherwise one claim per agent.
        groups: dict[tuple[int, float], list[str]] = {}
        for a in wanted:
            groups.setdefault((room[a], self._lease_for(self.agents[a])), []).append(a)
        got = 0
        for (n, lease), agents in sorted(groups.items(), key=lambda kv: -kv[0][0]):
            n = min(n, self.concurrency - self.handling)
            if n <= 0 or self._stop.is_set():
                break
            tasks = queue.claim(self.db, agents, n, self.id, lease, caps={a: c for a in agents if (c := caps.get(a)) is not None})
            self._start_tasks(tasks, lease)
            got += len(tasks)
        return got

    def _start_tasks(self, tasks: list[Task], lease_s: float) -> None:
        if not tasks:
            return
        started = [_Running(task=task, cancel=threading.Event(), lease_s=lease_s) for task in tasks]
        with self._lock:
            for r in started:
                self._running[r.task.id] = r
        self._pool.submit_many([partial(self._execute, r) for r in started])
        self._notify_change()

    def _notify_change(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:  # pragma: no cover - a UI callback must never break the runner
                pass

    # -------------------------------------------------------------------------------------------
    # Executing
    # -------------------------------------------------------------------------------------------
    def _log_event(self, ctx: AgentContext, message: str, level: str, data: dict[str, Any]) -> None:
        """An agent's log line: one event row and, headless, one JSON line on stdout."""
        task = ctx.task
        level = level if level in _LEVELS else "info"
        try:
            with self.db.connection() as conn:
                queue.add_event(conn, message, level=level, agent=task.agent, task_id=task.id,
                                candidate_id=task.candidate_id, job_id=task.job_id,
                                application_id=task.application_id, runner_id=self.id, data=data or None)
        except (psycopg.Error, TalvixError) as exc:
            log.warning("could not record an event: %s", _first_line(exc))
        fields: dict[str, Any] = {"event": "log", "runner": self.id, "agent": task.agent, "task": task.id}
        if task.candidate_id is not None:
            fields["candidate"] = task.candidate_id
        if data:
            fields["data"] = data
        agent_log.log(_LEVELS[level], message, extra={"fields": fields})

    def _execute(self, r: _Running) -> None:
        """Run one task: the agent's handler, its outcome written (fenced by the lease), one log line.

        A plain success is handed to the group completer and this thread moves on to the next task; the
        completer's writer finishes it (:meth:`_written`). Any other outcome is written here."""
        outcome_name, error, write = self._run_handler(r)
        self._handler_returned(r)
        if write is _GROUP:
            self._completer.submit(r.task, r.result, partial(self._written, r))
            return
        self._finish(r, outcome_name, error, write)

    def _handler_returned(self, r: _Running) -> None:
        """The task's slot is free: the claimer need not wait for its write. It is woken when the runner is
        empty or when it is waiting for room (otherwise it claims at the end of its short linger)."""
        with self._lock:
            r.finishing = True
            wake = self._waiting_for_room or not any(not x.finishing for x in self._running.values())
        if wake:
            self._wake.set()

    def _finish(self, r: _Running, outcome_name: str, error: str | None, write: Callable[[], Any]) -> None:
        try:
            outcome_name, error = self._record(r, outcome_name, error, write)
            self._count(outcome_name)
        finally:
            with self._lock:
                self._running.pop(r.task.id, None)
            self._wake.set()
            self._notify_change()
        self._log_outcome(r, outcome_name, error)

    def _written(self, r: _Running, error: BaseException | None) -> None:
        """From the completer's writer: a plain success was written (or its lease was lost)."""
        if error is not None and not isinstance(error, LeaseLost):
            # The group's write failed (e.g. the connection dropped): this task's completion is written on
            # its own, retried through the outage as every other outcome is.
            self._pool.submit(partial(self._finish, r, "succeeded", None,
                                      partial(queue.complete, self.db, r.task, r.result)))
            return
        outcome_name = "succeeded" if error is None else "abandoned"
        self._count(outcome_name)
        with self._lock:
            self._running.pop(r.task.id, None)
        self._log_outcome(r, outcome_name, None if error is None else "lease lost before the outcome was written")

    def _run_handler(self, r: _Running) -> tuple[str, str | None, Callable[[], Any]]:
        """The agent's handler run on the task's payload: the outcome's name, its error, and its queue write."""
        task = r.task
        agent = self.agents[task.agent]
        ctx = AgentContext(task=task, db=self.db, storage=self.storage, settings=self.settings, runner_id=self.id,
                           cancelled=r.cancel, log_fn=self._log_event, llm=self.llm)
        try:
            try:
                payload = agent.parse_payload(task.payload)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first.get("loc", ())) or "payload"
                raise PermanentError(f"bad payload for {task.agent}: {where}: {first.get('msg')}") from None
            outcome: AgentResult = agent.handle(payload, ctx) or AgentResult()
            if r.cancel.is_set():
                raise LeaseLost(f"task {task.id} was {'released' if r.reason == 'stopping' else 'lost'} while running")
            if outcome.follow_ons or outcome.in_tx is not None:
                return "succeeded", None, partial(queue.complete, self.db, task, outcome.result, outcome.follow_ons,
                                                  outcome.in_tx)
            r.result = outcome.result
            return "succeeded", None, _GROUP
        except LeaseLost as exc:
            return "abandoned", str(exc), _nothing
        except NeedsHuman as exc:
            return "needs_human", str(exc), partial(queue.park, self.db, task, "needs_human", str(exc),
                                                    result=getattr(exc, "data", None) or None,
                                                    in_tx=getattr(exc, "in_tx", None))
        except AwaitingApproval as exc:
            return "awaiting_approval", str(exc), partial(queue.park, self.db, task, "awaiting_approval", str(exc),
                                                          result=exc.data or None, in_tx=getattr(exc, "in_tx", None))
        except PermanentError as exc:
            return "dead", str(exc), partial(queue.fail, self.db, task, str(exc), retry=False)
        except RetryLater as exc:
            return "postponed", str(exc), partial(queue.fail, self.db, task, str(exc), delay_s=exc.delay_s,
                                                  count_attempt=False)
        except Exception as exc:  # the agent's own failure: retried with backoff, then dead
            return "failed", f"{type(exc).__name__}: {exc}", self._retry_later(task, exc)

    def _retry_later(self, task: Task, error: BaseException | str) -> Callable[[], Any]:
        q = self.settings.queue
        return partial(queue.fail, self.db, task, error, backoff_base=q.backoff_base_seconds,
                       backoff_cap=q.backoff_max_seconds)

    def _record(self, r: _Running, outcome_name: str, error: str | None,
                write: Callable[[], Any]) -> tuple[str, str | None]:
        """Write the outcome through a dropped connection; what was recorded, and its error."""
        deadline_s = max(60.0, r.lease_s)
        try:
            done = self._write_until_done(write, deadline_s=deadline_s)
        except Exception as exc:  # e.g. an agent's in_tx write broke a constraint: nothing was committed
            log.exception("could not record the outcome of task %s", r.task.id,
                          extra={"fields": {"event": "runner.write_failed", "runner": self.id, "task": r.task.id}})
            outcome_name, error = "failed", f"recording the outcome failed: {type(exc).__name__}: {exc}"
            done = self._write_until_done(self._retry_later(r.task, error), deadline_s=deadline_s)
        if done is _LOST and outcome_name != "abandoned":
            return "abandoned", error or "lease lost before the outcome was written"
        if done is _GAVE_UP:
            return "unrecorded", (f"{outcome_name} but not recorded (database unreachable); the lease will expire "
                                  "and it runs again")
        if outcome_name == "failed" and done == "dead":
            return "dead", error  # that was its last attempt
        return outcome_name, error

    def _count(self, outcome_name: str) -> None:
        with self._lock:
            if outcome_name == "succeeded":
                self.completed += 1
            elif outcome_name in ("failed", "dead"):
                self.failed += 1

    def _log_outcome(self, r: _Running, outcome_name: str, error: str | None) -> None:
        task = r.task
        fields: dict[str, Any] = {"event": f"task.{outcome_name}", "runner": self.id, "agent": task.agent,
                                  "task": task.id, "attempt": task.attempts,
                                  "duration_ms": round((time.monotonic() - r.started) * 1000, 1)}
        if error:
            fields["error"] = clean(redact(error))[:500]
        level = logging.INFO if outcome_name in ("succeeded", "postponed") else logging.WARNING
        log.log(level, f"task {task.id} {outcome_name}", extra={"fields": fields})

    def _write_until_done(self, fn: Callable[[], Any], deadline_s: float) -> Any:
        """Run a queue write, retrying through a dropped connection until ``deadline_s`` passes.

        Returns ``fn()``'s value, ``_LOST`` or ``_GAVE_UP``. A lost lease ends it quietly (``_LOST``): the task is someone else's now, and the fenced
        write committed nothing. A write whose commit reached the server but whose answer was lost is
        retried and then finds the fence closed, so nothing is ever written twice.
        """
        delay = 0.25
        deadline = time.monotonic() + deadline_s
        while True:
            try:
                return fn()
            except LeaseLost:
                return _LOST
            except DB_ERRORS as exc:
                if time.monotonic() + delay > deadline:
                    log.error("giving up on a queue write after %.0fs: %s (the lease will expire and the task "
                              "run again)", deadline_s, _first_line(exc),
                              extra={"fields": {"event": "runner.write_failed", "runner": self.id}})
                    return _GAVE_UP
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def snapshot(self) -> list[dict[str, Any]]:
        """What this runner is doing now (for the console)."""
        now = time.monotonic()
        with self._lock:
            return [{"task_id": r.task.id, "agent": r.task.agent, "elapsed_s": now - r.started}
                    for r in self._running.values()]


_LOST = object()
_GAVE_UP = object()


def _GROUP() -> None:
    """The queue write of a plain success: none here; the group completer writes it."""


def _nothing() -> None:
    """The queue write of an abandoned task: none (the task is someone else's now)."""


def run_until_idle(settings: Settings, db: Database, agents: list[str] | None = None, *, concurrency: int = 4,
                   timeout_s: float = 120.0) -> Runner:
    """Run a runner until no task of its agents is queued or running (tests, demo, --exit-when-idle)."""
    runner = Runner(settings, db, agents=agents, concurrency=concurrency, listen=False, reap=False).start()
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            if runner.idle():
                break
            runner.wake()
            time.sleep(0.05)
    finally:
        runner.stop(grace_s=5)
    return runner
