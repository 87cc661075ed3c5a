"""``talvix runner`` (headless runner with the scheduler) and ``talvix schedule list``."""

from __future__ import annotations

import argparse
import signal
import threading
import time
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from cli.main import Context, check_range
from cli.output import print_json
from core.errors import TalvixError
from core.safetext import literal

#: A second SIGTERM/SIGINT at least this long after the first releases running tasks at once.
FORCE_AFTER_S = 1.0


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser(
        "runner",
        help="run agents headless: claim and run tasks, fire schedules; JSON log lines on stdout",
        description="Run agents headless. SIGTERM/SIGINT stops claiming, lets running tasks finish within "
                    "runner.grace_seconds and releases the rest (a second signal releases at once); exit 0.",
    )
    r.add_argument("--agents", metavar="A,B", default=None,
                   help="comma-separated agents to run (default: runner.agents, else every agent)")
    r.add_argument("--concurrency", type=int, default=None, metavar="N",
                   help="tasks run at once by this runner (default: runner.concurrency)")
    r.add_argument("--exit-when-idle", action="store_true",
                   help="exit once nothing of these agents is queued (due now) or running")
    r.add_argument("--no-schedule", action="store_true",
                   help="do not fire schedules on this host (e.g. the execution server); the reaper still runs")
    r.add_argument("--grace", type=float, default=None, metavar="SECONDS",
                   help="override runner.grace_seconds for this run")
    r.set_defaults(handler=cmd_runner)

    s = sub.add_parser("schedule", help="scheduled tasks from talvix.toml")
    ssub = s.add_subparsers(dest="schedule_command", metavar="ACTION", required=True)
    ls = ssub.add_parser("list", help="schedules with their next fire times")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_schedule_list)


def _agent_list(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [a.strip() for a in text.split(",") if a.strip()]
    if not names:
        raise TalvixError("--agents needs at least one agent name, e.g. --agents ping,apply")
    return names


def cmd_runner(ctx: Context) -> int:
    from runners.logs import install_json_logging
    from runners.runner import Runner
    from runners.scheduler import Scheduler, load_schedules

    args = ctx.args
    settings = ctx.settings
    check_range("--concurrency", args.concurrency, 1, 256, "tasks run at once by this runner; run more runners "
                "for more")
    if args.grace is not None and args.grace < 0:
        raise TalvixError("--grace must be 0 or more seconds")
    agents = _agent_list(args.agents)
    concurrency = args.concurrency or settings.runner.concurrency
    # Every running task may write at once, and as many finishing ones may be writing their outcomes (a
    # finished handler frees its slot before its outcome commits), plus claim, heartbeat, reaper, scheduler.
    settings.database.pool_max = max(settings.database.pool_max, 2 * concurrency + 4)
    schedules = None if args.no_schedule else load_schedules(settings)  # a bad schedule stops us before work
    install_json_logging(settings.log_level)
    db = ctx.db()
    runner = Runner(settings, db, agents=agents, concurrency=concurrency, mode="headless", json_logs=True)

    stop = threading.Event()
    first_signal: list[float] = []

    def on_signal(signum: int, _frame: Any) -> None:
        # Under `doppler run`, a process manager signalling the whole group, or Ctrl-C in a terminal, the
        # same stop reaches us twice within milliseconds; only a signal a second or more after the first
        # is an operator insisting, which cuts the grace period short.
        now = time.monotonic()
        if not first_signal:
            first_signal.append(now)
            stop.set()
        elif now - first_signal[0] >= FORCE_AFTER_S:
            runner.force_stop()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    scheduler = None
    try:
        runner.start()
        if schedules is not None:
            scheduler = Scheduler(settings, db, runner_id=runner.id, schedules=schedules).start()
        while not stop.wait(0.5):
            if args.exit_when_idle and runner.idle():
                break
    finally:
        if scheduler is not None:
            scheduler.shutdown()
        runner.stop(args.grace)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def cmd_schedule_list(ctx: Context) -> int:
    from zoneinfo import ZoneInfo

    from runners.scheduler import describe, load_schedules

    settings = ctx.settings
    rows = describe(load_schedules(settings), ZoneInfo(settings.timezone))
    if ctx.args.json:

        print_json({"timezone": settings.timezone, "schedules": rows})
        return 0
    table = Table(title=f"schedules (timezone {settings.timezone})")
    table.add_column("schedule", no_wrap=True)
    table.add_column("when", no_wrap=True)
    table.add_column("agent", no_wrap=True)
    table.add_column("next fire", no_wrap=True)
    table.add_column("status")
    for r in rows:
        when = r["cron"] if r["cron"] else f"every {r['every_s']:g}s"
        if r["active"]:
            status = "active"
        elif not r["enabled"]:
            status = "disabled"
        else:
            status = "no agent"  # the agent is not installed in this build
        nxt = datetime.fromisoformat(r["next_fire_at"]).strftime("%Y-%m-%d %H:%M") if r["next_fire_at"] else "-"
        table.add_row(literal(r["name"]), literal(when), literal(r["agent"] or "-"), nxt, literal(status))
    Console(highlight=False, soft_wrap=False).print(table)
    return 0
