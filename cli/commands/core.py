"""Core commands: database, queue inspection and control, agents, keys."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from cli.main import Context
from cli.output import print_json
from core.errors import InvalidInput, NotFound, TalvixError
from core.safetext import literal

TASK_STATUSES = ("queued", "running", "succeeded", "failed", "dead", "cancelled", "awaiting_approval", "needs_human")


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def register(sub: argparse._SubParsersAction) -> None:
    # talvix db migrate | status | stop
    p = sub.add_parser("db", help="database schema: migrate, status; stop the embedded server")
    dbsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    m = dbsub.add_parser("migrate", help="apply pending migrations (safe to run twice, from several hosts)")
    m.add_argument("--json", action="store_true")
    m.set_defaults(handler=cmd_db_migrate)
    s = dbsub.add_parser("status", help="show applied and pending migrations and where the database is")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_db_status)
    st = dbsub.add_parser("stop", help="stop the embedded Postgres server of this data directory")
    st.set_defaults(handler=cmd_db_stop)

    # talvix enqueue AGENT
    e = sub.add_parser("enqueue", help="add a task (or many, from a JSONL file, in one transaction)")
    e.add_argument("agent")
    e.add_argument("--payload", default=None, metavar="JSON", help="payload object (default {})")
    e.add_argument("--key", default=None, help="idempotency key: enqueueing the same key twice makes one task")
    e.add_argument("--priority", type=int, default=0, help="higher runs first (default 0)")
    e.add_argument("--run-at", default=None, metavar="ISO", help="not before this time (ISO 8601 with offset)")
    e.add_argument("--max-attempts", type=int, default=None)
    e.add_argument("--from-file", default=None, metavar="FILE.jsonl", help="one payload object per line")
    e.add_argument("--json", action="store_true")
    e.set_defaults(handler=cmd_enqueue)

    s = sub.add_parser("status", help="queue depth per agent and state, runners, oldest waiting task")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_status)

    t = sub.add_parser("tasks", help="list tasks, newest first")
    t.add_argument("--agent")
    t.add_argument("--status", choices=TASK_STATUSES)
    t.add_argument("--limit", type=int, default=50)
    t.add_argument("--json", action="store_true")
    t.set_defaults(handler=cmd_tasks)

    r = sub.add_parser("retry", help="queue tasks again now with attempts reset")
    r.add_argument("ids", nargs="*", type=int, metavar="ID")
    r.add_argument("--all-failed", action="store_true", help="every failed and dead task (of --agent)")
    r.add_argument("--agent")
    r.add_argument("--json", action="store_true")
    r.set_defaults(handler=cmd_retry)

    c = sub.add_parser("cancel", help="cancel tasks (a running one loses its lease)")
    c.add_argument("ids", nargs="+", type=int, metavar="ID")
    c.add_argument("--reason", default="")
    c.add_argument("--json", action="store_true")
    c.set_defaults(handler=cmd_cancel)

    a = sub.add_parser("approve", help="approve a task waiting for a person")
    a.add_argument("id", type=int)
    a.add_argument("--edits", default=None, metavar="JSON", help='edited answers, e.g. {"Notice period": "30 days"}')
    a.set_defaults(handler=cmd_approve)
    rj = sub.add_parser("reject", help="reject a task waiting for a person")
    rj.add_argument("id", type=int)
    rj.add_argument("--reason", required=True)
    rj.set_defaults(handler=cmd_reject)

    pa = sub.add_parser("pause", help="pause an agent on every runner on every host")
    pa.add_argument("agent")
    pa.add_argument("--reason", default="")
    pa.set_defaults(handler=cmd_pause)
    re_ = sub.add_parser("resume", help="resume a paused agent")
    re_.add_argument("agent")
    re_.set_defaults(handler=cmd_resume)
    cap = sub.add_parser("cap", help="set an agent's global concurrency cap across all hosts (omit N to remove)")
    cap.add_argument("agent")
    cap.add_argument("n", type=int, nargs="?")
    cap.set_defaults(handler=cmd_cap)

    ag = sub.add_parser("agents", help="list the agents this build knows")
    ag.add_argument("--json", action="store_true")
    ag.set_defaults(handler=cmd_agents)

    k = sub.add_parser("keygen", help="print a new TALVIX_ENCRYPTION_KEY (keep it in your secret store)")
    k.set_defaults(handler=cmd_keygen)


# --------------------------------------------------------------------------------------------------
def cmd_db_migrate(ctx: Context) -> int:
    from core.db import migrate

    applied = migrate(ctx.db(migrate=False))
    if ctx.args.json:

        print_json({"applied": [{"version": v, "name": n} for v, n in applied]})
    elif applied:
        for v, n in applied:
            print(f"applied {v:04d}_{n}")
    else:
        print("schema is up to date")
    return 0


def cmd_db_status(ctx: Context) -> int:
    from core.db import migration_status, redact, server_version

    db = ctx.db(migrate=False)
    rows = migration_status(db)
    settings = ctx.settings
    where = "embedded" if settings.uses_embedded_database else "configured"
    server = server_version(db)
    if ctx.args.json:

        print_json({"database": where, "url": redact(db.url), "server_version": server,
                    "migrations": rows, "pending": sum(1 for r in rows if not r["applied"])})
        return 0
    con = _console()
    con.print(f"database: {where} (PostgreSQL {server}) {redact(db.url)}", markup=False)
    table = Table("version", "name", "applied at")
    for r in rows:
        table.add_row(f"{r['version']:04d}", r["name"], str(r["applied_at"]) if r["applied"] else "pending")
    con.print(table)
    return 0


def cmd_db_stop(ctx: Context) -> int:
    from core.db import stop_embedded

    settings = ctx.settings
    if not settings.uses_embedded_database:
        raise TalvixError("a database URL is configured; there is no embedded server to stop")
    print("stopped" if stop_embedded(settings.data_dir) else "the embedded server was not running")
    return 0


# --------------------------------------------------------------------------------------------------
#: The range of a Postgres ``integer`` column (tasks.priority, agent_controls.max_concurrency).
PG_INT_MIN, PG_INT_MAX = -2_147_483_648, 2_147_483_647
#: The most rows ``talvix tasks`` can ask for (Postgres' LIMIT is a bigint).
PG_BIGINT_MAX = 9_223_372_036_854_775_807
#: As the ``queue.max_attempts`` setting allows.
MAX_ATTEMPTS = 100


def _check_range(option: str, value: int | None, low: int, high: int, meaning: str) -> None:
    """Refuse a numeric option outside [low, high] in one line saying what the number is for."""
    if value is not None and not low <= value <= high:
        raise InvalidInput(f"{option} must be between {low} and {high} ({meaning}), got {value}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_payload(text: str | None, where: str = "--payload") -> dict[str, Any]:
    if text is None or text == "":
        return {}
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{where} is not valid JSON: {exc.msg} at character {exc.pos}") from None
    except ValueError as exc:  # NaN / Infinity: JSON has no such numbers and the database refuses them
        raise InvalidInput(f"{where} is not valid JSON: {exc}") from None
    except RecursionError:
        raise InvalidInput(f"{where} is nested too deeply to be a payload") from None
    if not isinstance(value, dict):
        raise InvalidInput(f"{where} must be a JSON object, got {type(value).__name__}")
    return value


def _payload_lines(path: Path) -> list[tuple[int, str]]:
    """The non-blank lines of a JSONL file, refusing a missing file, a folder and bytes that are not UTF-8."""
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give a .jsonl file with one payload object per line")
    if not path.is_file():
        raise NotFound(f"file not found: {path}")
    lines: list[tuple[int, str]] = []
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(f"{path}:{lineno} is not UTF-8 text; give one JSON payload object per line "
                                   "(is this a binary file?)") from None
            if line.strip():
                lines.append((lineno, line))
    if not lines:
        raise InvalidInput(f"{path} has no payload lines")
    return lines


def cmd_enqueue(ctx: Context) -> int:
    from agents import get_agent
    from core import queue
    from core.agent import check_payload
    from core.models import NewTask

    args = ctx.args
    # Everything is checked before the database is touched: a refused enqueue adds nothing.
    agent = get_agent(args.agent)
    _check_range("--priority", args.priority, PG_INT_MIN, PG_INT_MAX, "higher runs first; 0 is the default")
    _check_range("--max-attempts", args.max_attempts, 1, MAX_ATTEMPTS, "how many times the task may run")
    if args.from_file and args.payload is not None:
        raise InvalidInput("give --payload or --from-file, not both")
    run_at = queue.to_datetime(args.run_at)
    if args.from_file:
        path = Path(args.from_file)
        items = []
        for lineno, line in _payload_lines(path):
            where = f"{path}:{lineno}"
            payload = _parse_payload(line, where)
            check_payload(agent, payload, where)
            key = None
            if args.key:
                key = f"{args.key}:{lineno}"
            items.append(NewTask(agent=args.agent, payload=payload, key=key, priority=args.priority,
                                 run_at=run_at, max_attempts=args.max_attempts))
        results = queue.enqueue_many(ctx.db(), items)
        created = sum(1 for _, c in results if c)
        if args.json:

            print_json({"enqueued": created, "existing": len(results) - created,
                        "ids": [t.id for t, _ in results]})
        else:
            print(f"enqueued {created} {args.agent} task(s)" + (f", {len(results) - created} already existed" if created < len(results) else ""))
        return 0
    payload = _parse_payload(args.payload)
    check_payload(agent, payload)
    new = NewTask(agent=args.agent, payload=payload, key=args.key, priority=args.priority,
                  run_at=run_at, max_attempts=args.max_attempts)
    task, created = queue.enqueue(ctx.db(), new)
    if args.json:

        print_json({"id": task.id, "created": created, "status": task.status, "agent": task.agent})
    else:
        print(f"{'enqueued' if created else 'already exists:'} task {task.id} ({task.agent}, {task.status})")
    return 0


def status_data(db: Any) -> dict[str, Any]:
    from core import queue
    from core.apply_engine import sites

    runners = []
    for r in queue.runners(db):
        runners.append({
            "id": r["id"], "host": r["host"], "pid": r["pid"], "agents": list(r["agents"] or []),
            "concurrency": r["concurrency"], "mode": r["mode"], "status": r["status"], "version": r["version"],
            "started_at": r["started_at"].isoformat() if r["started_at"] else None,
            "heartbeat_at": r["heartbeat_at"].isoformat() if r["heartbeat_at"] else None,
            "heartbeat_age_s": round(r["heartbeat_age_s"], 3),
        })
    controls = queue.agent_controls(db)
    return {
        "tasks": queue.counts_by_agent(db),
        "runners": runners,
        "oldest_queued_age_s": queue.oldest_waiting_age(db),
        "paused_agents": sorted(a for a, c in controls.items() if c["paused"]),
        "paused_sites": sites.paused_sites(db),
    }


def cmd_status(ctx: Context) -> int:
    data = status_data(ctx.db())
    if ctx.args.json:

        print_json(data)
        return 0
    con = _console()
    # Only the states that occur, so the table fits an 80-column terminal.
    present = [s for s in TASK_STATUSES if any(s in c for c in data["tasks"].values())]
    table = Table("agent", *[s.replace("_", " ") for s in present], "oldest waiting", title="tasks")
    for agent, counts in data["tasks"].items():
        age = data["oldest_queued_age_s"].get(agent)
        table.add_row(literal(agent), *[str(counts.get(s, "")) for s in present],
                      f"{age:.0f}s" if age is not None else "")
    con.print(table)
    rt = Table("runner", "host", "pid", "agents", "heartbeat", title="runners")
    for r in data["runners"]:
        rt.add_row(literal(r["id"]), literal(r["host"]), str(r["pid"]), literal(",".join(r["agents"])),
                   f"{r['heartbeat_age_s']:.0f}s ago")
    con.print(rt if data["runners"] else "runners: none")
    if data["paused_agents"]:
        con.print(literal("paused agents: " + ", ".join(data["paused_agents"])))
    if data["paused_sites"]:
        con.print(literal("paused sites: " + ", ".join(data["paused_sites"])))
    return 0


def cmd_tasks(ctx: Context) -> int:
    from core import queue

    args = ctx.args
    _check_range("--limit", args.limit, 1, PG_BIGINT_MAX, "how many tasks to list, newest first")
    tasks = queue.list_tasks(ctx.db(), agent=args.agent, status=args.status, limit=args.limit)
    if args.json:

        print_json([t.as_json() for t in tasks])
        return 0
    table = Table("id", "agent", "status", "attempts", "priority", "run at", "error")
    for t in tasks:
        table.add_row(str(t.id), literal(t.agent), t.status, f"{t.attempts}/{t.max_attempts}", str(t.priority),
                      t.run_at.strftime("%Y-%m-%d %H:%M:%S") if t.run_at else "",
                      literal(t.last_error or "", max_len=60))
    _console().print(table)
    return 0


def _report(ctx: Any, verb: str, requested: list[int], done: list[int]) -> int:
    if ctx.args.json:

        print_json({verb: done, "skipped": [i for i in requested if i not in done]})
        return 0
    print(f"{verb} {len(done)} task(s)" + (f": {', '.join(map(str, done))}" if done and len(done) <= 20 else ""))
    skipped = [i for i in requested if i not in done]
    if skipped:
        print(f"not {verb} (no such task, or not in a state that allows it): {', '.join(map(str, skipped[:20]))}",
              file=sys.stderr)
    return 0


def cmd_retry(ctx: Context) -> int:
    from core import queue

    args = ctx.args
    if args.all_failed:
        done = queue.retry_matching(ctx.db(), agent=args.agent)
        return _report(ctx, "retried", done, done)
    if not args.ids:
        raise TalvixError("give task ids, or --all-failed [--agent A]")
    return _report(ctx, "retried", args.ids, queue.retry(ctx.db(), args.ids))


def cmd_cancel(ctx: Context) -> int:
    from core import queue

    return _report(ctx, "cancelled", ctx.args.ids, queue.cancel(ctx.db(), ctx.args.ids, reason=ctx.args.reason))


def cmd_approve(ctx: Context) -> int:
    from core import queue

    edits = _parse_payload(ctx.args.edits, "--edits") if ctx.args.edits else None
    task = queue.approve(ctx.db(), ctx.args.id, edits=edits)
    print(f"approved task {task.id}; it is queued again")
    return 0


def cmd_reject(ctx: Context) -> int:
    from core import queue

    task = queue.reject(ctx.db(), ctx.args.id, ctx.args.reason)
    print(f"rejected task {task.id}")
    return 0


def cmd_pause(ctx: Context) -> int:
    from agents import get_agent
    from core import queue

    get_agent(ctx.args.agent)
    queue.set_agent_paused(ctx.db(), ctx.args.agent, True, ctx.args.reason)
    print(f"paused {ctx.args.agent} on every runner")
    return 0


def cmd_resume(ctx: Context) -> int:
    from agents import registry
    from core import queue

    # An agent this build no longer knows may still be resumed if it was paused (so the row can be cleared).
    if ctx.args.agent not in registry() and ctx.args.agent not in queue.agent_controls(ctx.db()):
        from agents import get_agent

        get_agent(ctx.args.agent)
    queue.set_agent_paused(ctx.db(), ctx.args.agent, False)
    print(f"resumed {ctx.args.agent}")
    return 0


def cmd_cap(ctx: Context) -> int:
    from agents import get_agent
    from core import queue

    get_agent(ctx.args.agent)
    _check_range("the cap N", ctx.args.n, 0, PG_INT_MAX,
                 "tasks of this agent running at once across all hosts; 0 holds them all; omit N to remove the cap")
    queue.set_agent_cap(ctx.db(), ctx.args.agent, ctx.args.n)
    print(f"{ctx.args.agent}: global cap {'removed' if ctx.args.n is None else ctx.args.n}")
    return 0


def cmd_agents(ctx: Context) -> int:
    from agents import registry

    rows = [{"name": a.name, "description": a.description, "default_concurrency": a.default_concurrency,
             "global_concurrency": a.global_concurrency} for a in registry().values()]
    if ctx.args.json:

        print_json(rows)
        return 0
    table = Table("agent", "concurrency", "global cap", "description")
    for r in rows:
        table.add_row(str(r["name"]), str(r["default_concurrency"]), str(r["global_concurrency"] or "-"), str(r["description"]))
    _console().print(table)
    return 0


def cmd_keygen(ctx: Context) -> int:
    from core.crypto import generate_key

    print(generate_key())
    return 0
