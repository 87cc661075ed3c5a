"""The whole Talvix pipeline against the local sandbox job board: for the demo, smoke tests and e2e tests.

Nothing here is a shortcut around the real system. :func:`start_sandbox_pipeline` starts the sandbox
(:class:`sandbox.SandboxServer`) on 127.0.0.1, adds demo candidates through the same code as
``talvix candidates add`` (resume parsed, stored, encrypted; a ``score`` task queued), and queues one
``discover`` task per sandbox board. Real runners (:class:`runners.runner.Runner`, in-process) then carry
the work through ``discover → jd_parse → score → tailor → cover_letter → apply / interview_prep``, with
the apply agent driving a real headless Chromium through the sandbox's forms. Nothing leaves loopback.

The demo data (``demo/data/``) is chosen so every path an operator cares about shows up:

* Ananya Iyer (backend, Bengaluru, policy ``when_uncertain``) matches the Greenhouse backend job and is
  submitted without a person;
* Rohan Deshpande (frontend, Pune, policy ``always``) matches the React job; it waits in
  ``awaiting_approval`` until an operator approves it (``core.queue.approve``), then it is submitted once;
* Suresh Naik (mainframe, Mumbai) matches the Greenhouse knock-out job, whose required "security
  clearance" question his profile cannot answer: the application goes to ``needs_human`` naming it.

Typical use (see the README, "The whole pipeline on the sandbox")::

    with start_demo_pipeline(settings, db) as handle:
        summary = handle.run_until_done(progress=print)   # starts and stops its own runners
        print(summary.as_json())

or, in the console, ``for r in handle.runners(mode="console"): r.start()`` and ``handle.stop()`` at exit.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from core import queue
from core.config import Settings
from core.db import Database, ensure_schema
from core.errors import TalvixError
from core.jobs.store import canonical_url, site_of
from core.models import NewTask

#: Every agent the sandbox pipeline needs, in pipeline order (candidates are parsed inline when added).
PIPELINE_AGENTS: tuple[str, ...] = ("discover", "jd_parse", "score", "tailor", "cover_letter", "interview_prep",
                                    "apply")
#: The analysis agents (the "intelligence server" in production) and the browser agent (the execution server).
INTEL_AGENTS: tuple[str, ...] = PIPELINE_AGENTS[:-1]
APPLY_AGENTS: tuple[str, ...] = ("apply",)

DEMO_DATA = Path(__file__).resolve().parent / "data"


# ------------------------------------------------------------------------------------------------
# Demo candidates
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoProfile:
    """One bundled demo candidate: a resume file and the profile TOML that goes with it."""

    key: str
    resume: Path
    profile: Path


@dataclass(frozen=True)
class DemoCandidate:
    """A demo candidate as added to the database."""

    key: str
    candidate_id: int
    name: str
    apply_policy: str
    created: bool


def demo_profiles() -> list[DemoProfile]:
    """The bundled demo candidates, in a fixed order (the first ones are used when fewer are asked for).

    The order puts one of each outcome first: submitted, awaiting approval, needs a person.
    """
    order = ["ananya_iyer", "rohan_deshpande", "suresh_naik"]
    found = {p.stem: p for p in DEMO_DATA.glob("*.toml")}
    keys = [k for k in order if k in found] + sorted(k for k in found if k not in order)
    out = []
    for key in keys:
        resumes = [p for p in DEMO_DATA.glob(f"{key}.*") if p.suffix in (".md", ".txt", ".pdf", ".docx")]
        if not resumes:
            raise TalvixError(f"demo data is incomplete: {key}.toml has no resume next to it in {DEMO_DATA}")
        out.append(DemoProfile(key, resumes[0], found[key]))
    return out


def pick_demo_profiles(count: int | None = None) -> list[DemoProfile]:
    """The first ``count`` demo candidates (all with None); a clear error for a count that cannot be met."""
    profiles = demo_profiles()
    if count is None:
        return profiles
    if count < 0:
        raise TalvixError("the number of demo candidates cannot be negative")
    if count > len(profiles):
        raise TalvixError(f"there are only {len(profiles)} demo candidates; ask for at most {len(profiles)}")
    return profiles[:count]


def add_demo_candidates(settings: Settings, db: Database, count: int | None = None) -> list[DemoCandidate]:
    """Add (or update, by email) the first ``count`` demo candidates exactly as ``talvix candidates add`` does."""
    from core.candidates.intake import add_candidate
    from core.crypto import load_cipher
    from core.storage import Storage

    profiles = pick_demo_profiles(count)
    storage = Storage.from_settings(settings)
    storage.ensure()
    cipher = load_cipher(settings)
    out = []
    for p in profiles:
        added = add_candidate(db, storage, cipher, p.resume, p.profile)
        ident = added.profile.get("identity") or {}
        name = " ".join(x for x in (ident.get("first_name"), ident.get("last_name")) if x)
        row = db.one("SELECT apply_policy FROM candidates WHERE id = %s", (added.candidate_id,))
        out.append(DemoCandidate(p.key, added.candidate_id, name, row["apply_policy"] if row else "", added.created))
    return out


# ------------------------------------------------------------------------------------------------
# Progress and summary
# ------------------------------------------------------------------------------------------------
_COUNTS = """
    SELECT agent, status, count(*)::int AS n FROM tasks
     WHERE agent = ANY(%s) AND created_at >= %s
     GROUP BY agent, status
"""
_PENDING = """
    SELECT count(*)::int AS n FROM tasks t
     WHERE t.agent = ANY(%s)
       AND (t.status = 'running'
            OR (t.status IN ('queued', 'failed') AND t.run_at <= now() + make_interval(secs => %s)
                AND NOT EXISTS (SELECT 1 FROM agent_controls ac WHERE ac.agent = t.agent AND ac.paused)))
"""
_JOBS = "SELECT count(*)::int AS n FROM jobs WHERE site = %s"
_JOBS_BY_SOURCE = "SELECT source, count(*)::int AS n FROM jobs WHERE site = %s GROUP BY source ORDER BY source"
_APPS = """
    SELECT a.status, count(*)::int AS n FROM applications a JOIN jobs j ON j.id = a.job_id
     WHERE j.site = %s GROUP BY a.status
"""
_PARKED = """
    SELECT t.id AS task_id, t.status, t.last_error, a.id AS application_id, c.full_name, j.title, j.company
      FROM tasks t JOIN applications a ON a.id = t.application_id JOIN jobs j ON j.id = a.job_id
      JOIN candidates c ON c.id = a.candidate_id
     WHERE t.agent = 'apply' AND t.status IN ('awaiting_approval', 'needs_human') AND j.site = %s
     ORDER BY t.id
"""
_DEAD = """
    SELECT id, agent, last_error FROM tasks WHERE agent = ANY(%s) AND created_at >= %s AND status = 'dead' ORDER BY id
"""


@dataclass
class PipelineSummary:
    """What the pipeline has done so far on this sandbox (the CLI's summary and the tests' view)."""

    sandbox_url: str
    jobs_discovered: int
    jobs_by_source: dict[str, int]
    applications: dict[str, int]  # application status -> count
    tasks: dict[str, dict[str, int]]  # agent -> status -> count (tasks created by this run)
    parked: list[dict[str, Any]]  # apply tasks waiting for a person: task id, reason, who, which job
    elapsed_s: float
    dead: list[dict[str, Any]] = field(default_factory=list)  # tasks of this run out of attempts: id, agent, error
    timed_out: bool = False

    @property
    def submitted(self) -> int:
        return self.applications.get("submitted", 0)

    @property
    def awaiting_approval(self) -> int:
        return self.applications.get("awaiting_approval", 0)

    @property
    def needs_human(self) -> int:
        return self.applications.get("needs_human", 0) + self.applications.get("unknown_outcome", 0)

    def as_json(self) -> dict[str, Any]:
        return {"sandbox_url": self.sandbox_url, "jobs_discovered": self.jobs_discovered,
                "jobs_by_source": self.jobs_by_source,
                "applications": sum(self.applications.values()), "applications_by_status": self.applications,
                "submitted": self.submitted, "awaiting_approval": self.awaiting_approval,
                "needs_human": self.needs_human, "parked": self.parked, "tasks": self.tasks,
                "dead": self.dead, "elapsed_s": round(self.elapsed_s, 1), "timed_out": self.timed_out}


def format_counts(counts: dict[str, dict[str, int]]) -> str:
    """One progress line: ``discover succeeded=6 | jd_parse queued=3 running=1 ...`` in pipeline order."""
    parts = []
    for agent in PIPELINE_AGENTS:
        states = counts.get(agent)
        if states:
            parts.append(agent + " " + " ".join(f"{s}={n}" for s, n in sorted(states.items())))
    return " | ".join(parts) or "no tasks yet"


# ------------------------------------------------------------------------------------------------
# The handle
# ------------------------------------------------------------------------------------------------
@dataclass
class PipelineHandle:
    """A running sandbox with demo candidates and queued discovery. Make runners with :meth:`runners`
    (or let :meth:`run_until_done` run its own); :meth:`stop` shuts the sandbox down."""

    settings: Settings
    db: Database
    sandbox: Any  # sandbox.SandboxServer
    site: str  # the sandbox's host:port, the ``site`` of every sandbox job
    candidates: list[DemoCandidate]
    sources: list[str]
    discover_task_ids: list[int]
    run_id: str
    started_at: Any  # database time when the run started (tasks created since then are this run's)
    started_monotonic: float = field(default_factory=time.monotonic)
    _runners: list[Any] = field(default_factory=list, init=False, repr=False)
    _stopped: bool = field(default=False, init=False, repr=False)
    #: The agents a runner must run for this pipeline (e.g. a console that starts its own runners).
    agents: ClassVar[tuple[str, ...]] = PIPELINE_AGENTS

    @property
    def url(self) -> str:
        """The sandbox's base URL (``http://127.0.0.1:PORT``): its index page lists every job and form."""
        return self.sandbox.url

    # --- runners --------------------------------------------------------------------------------
    def runners(self, *, mode: str = "headless", concurrency: int | None = None, split: bool = True,
                on_change: Callable[[], None] | None = None, listen: bool = True) -> list[Any]:
        """New, not yet started runners for every pipeline agent (the caller starts and stops them).

        ``split`` (default) makes two, as production runs them: one for the analysis agents and one
        for ``apply`` (browsers); otherwise one runner runs all of them.
        """
        from runners.runner import Runner

        groups = [list(INTEL_AGENTS), list(APPLY_AGENTS)] if split else [list(PIPELINE_AGENTS)]
        out = []
        for agents in groups:
            n = concurrency or (2 if agents == list(APPLY_AGENTS) else 4)
            out.append(Runner(self.settings, self.db, agents=agents, concurrency=n, mode=mode,
                              on_change=on_change, listen=listen))
        return out

    # --- observing ------------------------------------------------------------------------------
    def counts(self) -> dict[str, dict[str, int]]:
        """Tasks of the pipeline agents created since this run started: agent -> status -> count."""
        out: dict[str, dict[str, int]] = {}
        for row in self.db.execute(_COUNTS, (list(PIPELINE_AGENTS), self.started_at)):
            out.setdefault(row["agent"], {})[row["status"]] = row["n"]
        return out

    def pending(self, horizon_s: float = 60.0) -> int:
        """Tasks running, or due within ``horizon_s`` (a site's minimum interval postpones apply briefly)."""
        row = self.db.one(_PENDING, (list(PIPELINE_AGENTS), float(horizon_s)))
        return int(row["n"]) if row else 0

    def done(self, horizon_s: float = 60.0) -> bool:
        """Nothing left for a runner: every task finished, or parked for a person, or postponed for long."""
        return self.pending(horizon_s) == 0

    def summary(self, *, timed_out: bool = False) -> PipelineSummary:
        apps = {r["status"]: r["n"] for r in self.db.execute(_APPS, (self.site,))}
        parked = [{"task_id": r["task_id"], "status": r["status"], "application_id": r["application_id"],
                   "candidate": r["full_name"], "job": r["title"], "company": r["company"],
                   "reason": r["last_error"]} for r in self.db.execute(_PARKED, (self.site,))]
        return PipelineSummary(
            sandbox_url=self.url,
            jobs_discovered=int(self.db.value(_JOBS, (self.site,))),
            jobs_by_source={r["source"]: r["n"] for r in self.db.execute(_JOBS_BY_SOURCE, (self.site,))},
            applications=apps, tasks=self.counts(), parked=parked,
            dead=[{"task_id": r["id"], "agent": r["agent"], "error": r["last_error"]}
                  for r in self.db.execute(_DEAD, (list(PIPELINE_AGENTS), self.started_at))],
            elapsed_s=time.monotonic() - self.started_monotonic, timed_out=timed_out)

    def sandbox_key(self, job_id: int) -> str | None:
        """The sandbox's key of one of our jobs (``gh-backend`` ...), matched by URL; None if not a sandbox job."""
        row = self.db.one("SELECT url, apply_url FROM jobs WHERE id = %s", (job_id,))
        if row is None:
            return None
        ours = {canonical_url(u) for u in (row["url"], row["apply_url"]) if u}
        for job in self.sandbox.jobs:
            d = self.sandbox.describe(job.key)
            if ours & {canonical_url(d["url"]), canonical_url(d["apply_url"])}:
                return job.key
        return None

    # --- running --------------------------------------------------------------------------------
    def start_runners(self, **options: Any) -> list[Any]:
        """Make and start :meth:`runners`; :meth:`stop` stops them (the caller may stop them earlier)."""
        runners = self.runners(**options)
        for r in runners:
            r.start()
            self._runners.append(r)
        return runners

    def stop_runners(self, grace_s: float = 10.0) -> None:
        """Stop the runners this handle started: running tasks get ``grace_s`` to finish, the rest are released."""
        while self._runners:
            self._runners.pop().stop(grace_s=grace_s)

    def watch(self, *, until_done: bool = True, timeout_s: float | None = None,
              progress: Callable[[dict[str, dict[str, int]]], None] | None = None,
              on_idle: Callable[[PipelineSummary], None] | None = None, stop: threading.Event | None = None,
              poll_s: float = 0.25, horizon_s: float = 60.0) -> bool:
        """Follow the pipeline while runners (this handle's, or anyone's) carry it.

        ``progress`` gets :meth:`counts` whenever they change; ``on_idle`` gets a summary each time the
        pipeline goes from busy to done (tasks parked for a person count as done: approving one makes it
        busy again). Returns when done (``until_done``), when ``stop`` is set, or after ``timeout_s``;
        the return value says whether the pipeline was done then.
        """
        stop = stop or threading.Event()
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        last: dict[str, dict[str, int]] | None = None
        was_done = False
        while True:
            counts = self.counts()
            if counts != last:
                last = counts
                if progress is not None:
                    progress(counts)
            done = self.done(horizon_s) and all(r.active == 0 for r in self._runners)
            if done and not was_done and on_idle is not None:
                on_idle(self.summary())
            was_done = done
            if (done and until_done) or stop.is_set():
                return done
            if deadline is not None and time.monotonic() > deadline:
                return False
            for r in self._runners:
                r.wake()
            stop.wait(poll_s)  # a poll interval: each pass re-reads the database

    def run_until_done(self, *, timeout_s: float = 600.0,
                       progress: Callable[[dict[str, dict[str, int]]], None] | None = None,
                       concurrency: int | None = None, horizon_s: float = 60.0) -> PipelineSummary:
        """Start runners, wait until nothing is left for them, stop them and summarise.

        Tasks parked for a person (``awaiting_approval``, ``needs_human``) count as done: approve them
        (``core.queue.approve``), then call this again to carry them on.
        """
        self.start_runners(concurrency=concurrency)
        try:
            done = self.watch(timeout_s=timeout_s, progress=progress, horizon_s=horizon_s)
        finally:
            self.stop_runners()
        return self.summary(timed_out=not done)

    def stop(self) -> None:
        """Stop runners this handle started (if any are still up) and shut the sandbox down. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self.stop_runners()
        finally:
            self.sandbox.stop()

    def __enter__(self) -> PipelineHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ------------------------------------------------------------------------------------------------
# Starting
# ------------------------------------------------------------------------------------------------
_SITE_BUDGET = """
    INSERT INTO sites (site, min_interval_s, daily_cap) VALUES (%s, %s, %s)
    ON CONFLICT (site) DO UPDATE SET min_interval_s = EXCLUDED.min_interval_s, daily_cap = EXCLUDED.daily_cap,
                                     updated_at = now()
"""


def discover_tasks(sandbox: Any, run_id: str) -> list[NewTask]:
    """One ``discover`` task per sandbox board; the board APIs' base URL is the sandbox's."""
    tasks = []
    for s in sandbox.sources():
        source = s["source"]
        payload: dict[str, Any] = {"source": source}
        if not source.startswith("rss:"):
            payload["base_url"] = sandbox.url
        tasks.append(NewTask("discover", payload, key=f"pipeline:{run_id}:discover:{source}"))
    return tasks


def start_sandbox_pipeline(settings: Settings, db: Database, *, data_dir: str | Path | None = None,
                           candidates: int | None = None, port: int = 0,
                           min_interval_s: float = 0.0) -> PipelineHandle:
    """Start the sandbox, add the demo candidates and queue discovery of every sandbox board.

    * ``data_dir``: where the sandbox appends ``submissions.jsonl`` (default ``<data dir>/sandbox``).
    * ``candidates``: how many of the bundled demo candidates to add (default: all of them).
    * ``port``: the sandbox's port on 127.0.0.1 (0: any free port).
    * ``min_interval_s``: the sandbox site's minimum interval between two apply sessions. Every sandbox
      job lives on one host, so the 30 s default budget of a real site would serialise the demo; this
      is written on the ``sites`` row (an operator's override), so runners in other processes obey it too.

    Nothing else is changed: settings are the caller's, and every write goes through the real code paths.
    """
    from sandbox import SandboxServer

    pick_demo_profiles(candidates)  # a bad count is refused before anything starts
    ensure_schema(db)
    folder = Path(data_dir) if data_dir is not None else Path(settings.data_dir) / "sandbox"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        server = SandboxServer(port=port, data_dir=folder).start()
    except OSError as exc:
        raise TalvixError(f"cannot start the sandbox on 127.0.0.1:{port} ({exc.strerror}); "
                          "choose another port, or 0 for any free port") from exc
    try:
        site = site_of(server.url) or server.url
        started_at = db.value("SELECT now()")
        db.execute(_SITE_BUDGET, (site, float(min_interval_s), 1000))
        added = add_demo_candidates(settings, db, candidates)
        run_id = uuid.uuid4().hex[:8]
        news = discover_tasks(server, run_id)
        with db.transaction() as conn:
            ids = [queue.insert_task(conn, t)[0].id for t in news]
    except BaseException:
        server.stop()
        raise
    return PipelineHandle(settings=settings, db=db, sandbox=server, site=site, candidates=added,
                          sources=[t.payload["source"] for t in news], discover_task_ids=ids, run_id=run_id,
                          started_at=started_at)


def start_demo_pipeline(settings: Settings, db: Database, **options: Any) -> PipelineHandle:
    """The console's ``talvix demo`` entry point: the sandbox pipeline with every demo candidate."""
    return start_sandbox_pipeline(settings, db, **options)
