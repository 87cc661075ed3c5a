"""Scheduled work: APScheduler in the headless runner, schedules from ``talvix.toml``.

A firing only *enqueues* a task. Its idempotency key is ``schedule:<name>:<period>``, where the period
is the cron time the firing belongs to (not the host's clock at the moment it ran), so three hosts
firing the same schedule, each a little early or late, make one task. Schedules::

    [schedules.discover_acme]
    cron = "0 6 * * *"          # standard 5-field cron (minute hour day month weekday, 0/7 = Sunday);
    agent = "discover"          # a 6th leading field gives seconds: "*/30 * * * * *"
    payload = { source = "greenhouse:acme" }

Times are in the ``timezone`` setting (default Asia/Kolkata). Built in: ``event_retention`` (daily
``maintenance`` task purging old events) and the lease ``reaper`` (not a schedule that enqueues: every
runner runs it itself every ``queue.reaper_seconds``, so rescue works with ``--no-schedule`` too).
Defaults that apply only when their agent is installed: ``follow_up_sweep``, ``calibration``,
``mail_sync`` and ``weekly_summary`` (the ``notify`` agent queues each candidate's summary of the ISO week). A
``[schedules.<name>]`` entry with the same name replaces a default; ``enabled = false`` turns it off.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from agents import registry
from core import queue
from core.config import ScheduleSpec, Settings
from core.db import Database, redact
from core.errors import ConfigError, TalvixError
from core.models import NewTask, Task

log = logging.getLogger("talvix.scheduler")

#: How late a firing may still run (a busy or briefly suspended host); it still belongs to its period.
MISFIRE_GRACE_S = 600
_DOW_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@dataclass
class Schedule:
    """One schedule: a cron trigger that enqueues ``agent`` with ``payload`` (or, for ``every_s``, runs in
    every runner without enqueueing anything)."""

    name: str
    agent: str | None
    cron: str | None = None
    every_s: float | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    source: str = "config"  # config | builtin | default
    description: str = ""
    #: Why a schedule does not fire although it is enabled (its agent is not in this build).
    inactive_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.enabled and self.inactive_reason is None

    @property
    def enqueues(self) -> bool:
        return self.cron is not None and self.agent is not None


# ------------------------------------------------------------------------------------------------
# Cron
# ------------------------------------------------------------------------------------------------
def _dow_field(text: str) -> str:
    """Standard cron numbers weekdays 0-7 from Sunday; APScheduler numbers them from Monday. Use names."""

    def name(tok: str) -> str:
        if not tok.isdigit():
            return tok
        n = int(tok)
        if not 0 <= n <= 7:
            raise ValueError(f"weekday {n} is out of range 0-7")
        return _DOW_NAMES[n]

    parts = []
    for part in text.split(","):
        rng, _, step = part.partition("/")
        if "-" in rng:
            a, b = rng.split("-", 1)
            if a.isdigit() and b == "7" and int(a) <= 6:
                rng = f"{name(a)}-sat" + ("" if step else ",sun")
            else:
                rng = f"{name(a)}-{name(b)}"
        else:
            rng = name(rng)
        parts.append(rng + (f"/{step}" if step else ""))
    return ",".join(parts)


def parse_cron(expr: str, tz: ZoneInfo | str) -> CronTrigger:
    """A cron trigger from 5 fields (minute hour day month weekday) or 6 (a leading seconds field)."""
    tzinfo = ZoneInfo(tz) if isinstance(tz, str) else tz
    fields = expr.split()
    if len(fields) not in (5, 6):
        raise ValueError(f"expected 5 fields (minute hour day month weekday) or 6 with seconds first, got {len(fields)}")
    second = fields.pop(0) if len(fields) == 6 else "0"
    minute, hour, day, month, dow = fields
    return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                       day_of_week=_dow_field(dow.lower()), timezone=tzinfo)


def period_of(trigger: CronTrigger, when: datetime, lookback_s: float = MISFIRE_GRACE_S) -> datetime | None:
    """The latest fire time of ``trigger`` at or before ``when`` (within ``lookback_s``): the period a firing
    belongs to, the same on every host whatever its clock said when it ran."""
    start = when - timedelta(seconds=lookback_s)
    t = trigger.get_next_fire_time(None, start)
    last = None
    while t is not None and t <= when:
        last = t
        t = trigger.get_next_fire_time(t, t + timedelta(microseconds=1))
    return last


def schedule_key(name: str, period: datetime) -> str:
    """Idempotency key of a firing: the schedule name and its period in UTC (so a timezone change cannot
    turn one period into two tasks)."""
    return f"schedule:{name}:{period.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"


# ------------------------------------------------------------------------------------------------
# Loading schedules
# ------------------------------------------------------------------------------------------------
def builtin_schedules(settings: Settings) -> list[Schedule]:
    q = settings.queue
    return [
        Schedule(name="reaper", agent=None, every_s=float(q.reaper_seconds), source="builtin",
                 description="rescue tasks with expired leases or dead runners (runs inside every runner)"),
        Schedule(name="event_retention", agent="maintenance", cron="30 3 * * *", source="builtin",
                 payload={"action": "purge_events", "older_than_days": q.event_retention_days},
                 description=f"delete events older than {q.event_retention_days} days"),
        Schedule(name="follow_up_sweep", agent="follow_up", cron="0 10 * * *", source="default",
                 payload={"sweep": True}, description="follow up on submitted applications"),
        Schedule(name="calibration", agent="calibrate", cron="0 4 * * 0", source="default",
                 description="recalibrate scoring from outcomes (Sundays)"),
        Schedule(name="mail_sync", agent="read_mail", cron="*/30 * * * *", source="default",
                 description="read candidates' mailboxes for replies (every 30 minutes)"),
        Schedule(name="weekly_summary", agent="notify", cron="0 10 * * 1", source="default",
                 payload={"weekly_summary": True},
                 description="queue each active candidate's weekly summary, once per ISO week (Mondays)"),
    ]


def load_schedules(settings: Settings, known_agents: set[str] | None = None) -> list[Schedule]:
    """Built-ins and defaults, replaced or extended by ``[schedules.<name>]``. Raises :class:`ConfigError`
    naming the schedule for a bad cron expression or an unknown agent in talvix.toml."""
    known = set(registry()) if known_agents is None else known_agents
    tz = ZoneInfo(settings.timezone)
    by_name = {s.name: s for s in builtin_schedules(settings)}
    for name, spec in settings.schedules.items():
        if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,100}", name):
            raise ConfigError(f"schedule name {name!r}: use letters, digits and _ . : - only")
        if name == "reaper":
            raise ConfigError("schedule 'reaper' is built in (set queue.reaper_seconds to change how often it runs)")
        by_name[name] = _from_spec(name, spec)
    out = []
    for s in by_name.values():
        if s.cron is not None:
            try:
                parse_cron(s.cron, tz)
            except ValueError as exc:
                raise ConfigError(f"schedule '{s.name}': bad cron {s.cron!r}: {exc}") from None
        if s.agent is not None and s.agent not in known:
            if s.source == "config" and s.enabled:
                raise ConfigError(f"schedule '{s.name}': unknown agent {s.agent!r}; known agents: "
                                  f"{', '.join(sorted(known))}")
            s.inactive_reason = f"agent {s.agent!r} is not installed"
        out.append(s)
    return out


def _from_spec(name: str, spec: ScheduleSpec) -> Schedule:
    return Schedule(name=name, agent=spec.agent, cron=spec.cron.strip(), payload=dict(spec.payload),
                    enabled=spec.enabled, source="config")


# ------------------------------------------------------------------------------------------------
# Firing
# ------------------------------------------------------------------------------------------------
def fire(db: Database, schedule: Schedule, period: datetime) -> tuple[Task, bool]:
    """Enqueue the task of ``schedule`` for ``period``. Returns (task, created): a second firing of the same
    period, on any host, returns the first task."""
    if not schedule.enqueues:
        raise TalvixError(f"schedule {schedule.name!r} does not enqueue tasks")
    payload = {**schedule.payload, "schedule": schedule.name, "period": period.isoformat()}
    return queue.enqueue(db, NewTask(agent=schedule.agent or "", payload=payload,
                                     key=schedule_key(schedule.name, period)))


class Scheduler:
    """APScheduler (background thread) firing the active cron schedules of ``settings``."""

    def __init__(self, settings: Settings, db: Database, *, runner_id: str | None = None,
                 schedules: list[Schedule] | None = None) -> None:
        self.settings = settings
        self.db = db
        self.runner_id = runner_id
        self.tz = ZoneInfo(settings.timezone)
        self.schedules = schedules if schedules is not None else load_schedules(settings)
        self.fired: list[tuple[str, datetime, int, bool]] = []
        self._aps = BackgroundScheduler(timezone=self.tz, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_S})
        self._aps.add_listener(self._on_error, EVENT_JOB_ERROR)
        self._triggers: dict[str, CronTrigger] = {}

    @property
    def active(self) -> list[Schedule]:
        return [s for s in self.schedules if s.active and s.enqueues]

    def start(self) -> Scheduler:
        for s in self.active:
            trigger = parse_cron(s.cron or "", self.tz)
            self._triggers[s.name] = trigger
            self._aps.add_job(self.run_schedule, trigger, args=[s.name], id=s.name, name=s.name)
        self._aps.start()
        log.info("scheduler started", extra={"fields": {
            "event": "scheduler.started", "runner": self.runner_id, "timezone": self.settings.timezone,
            "schedules": [s.name for s in self.active]}})
        return self

    def shutdown(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    def run_schedule(self, name: str, now: datetime | None = None) -> tuple[Task, bool] | None:
        """What one firing does: find the period it belongs to and enqueue that period's task.

        Database errors are retried briefly; a firing that still cannot reach the database is skipped
        with a warning (the next host or the next period fires it).
        """
        schedule = next(s for s in self.schedules if s.name == name)
        trigger = self._triggers.get(name) or parse_cron(schedule.cron or "", self.tz)
        now = now or datetime.now(self.tz)
        period = period_of(trigger, now)
        if period is None:
            log.warning("schedule %s fired outside any period; skipped", name,
                        extra={"fields": {"event": "schedule.skipped", "schedule": name}})
            return None
        last: BaseException | None = None
        for delay in (0.0, 0.5, 1.0, 2.0, 4.0):
            if delay:
                import time

                time.sleep(delay)
            try:
                task, created = fire(self.db, schedule, period)
                break
            except (psycopg.OperationalError, TalvixError) as exc:
                last = exc
        else:
            log.warning("schedule %s could not enqueue: %s", name, redact(str(last)).splitlines()[0],
                        extra={"fields": {"event": "schedule.failed", "schedule": name}})
            return None
        self.fired.append((name, period, task.id, created))
        log.info(f"schedule {name} fired" + ("" if created else " (task already enqueued)"), extra={"fields": {
            "event": "schedule.fired", "schedule": name, "period": period.isoformat(), "task": task.id,
            "created": created, "agent": schedule.agent, "runner": self.runner_id}})
        return task, created

    def _on_error(self, event: JobExecutionEvent) -> None:  # pragma: no cover - run_schedule catches its errors
        log.error("schedule %s failed: %s", event.job_id, event.exception,
                  extra={"fields": {"event": "schedule.error", "schedule": event.job_id}})

    def next_fire_times(self, now: datetime | None = None) -> list[dict[str, Any]]:
        return describe(self.schedules, self.tz, now)


def describe(schedules: list[Schedule], tz: ZoneInfo, now: datetime | None = None) -> list[dict[str, Any]]:
    """Rows for ``talvix schedule list``: each schedule with its next fire time in ``tz``."""
    now = now or datetime.now(tz)
    rows = []
    for s in schedules:
        nxt: datetime | None = None
        if s.active and s.cron is not None:
            nxt = parse_cron(s.cron, tz).get_next_fire_time(None, now)
        elif s.active and s.every_s is not None:
            nxt = None  # runs inside every runner on its own timer
        rows.append({
            "name": s.name, "source": s.source, "enabled": s.enabled, "active": s.active,
            "cron": s.cron, "every_s": s.every_s, "agent": s.agent, "payload": s.payload,
            "next_fire_at": nxt.isoformat() if nxt else None,
            "next_key": schedule_key(s.name, nxt) if nxt and s.enqueues else None,
            "description": s.description, "inactive_reason": s.inactive_reason if s.enabled else "disabled",
        })
    return rows
