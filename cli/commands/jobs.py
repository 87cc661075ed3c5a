"""Job commands: ``talvix discover``, ``talvix jobs``, ``talvix score``.

``discover`` reads a source in the foreground (the same code as the ``discover`` agent) and queues
``jd_parse`` for new or changed jobs; ``jobs`` lists what is known; ``score`` previews the fit of a
candidate or a job without writing anything (the ``score`` agent is what creates applications).
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from cli.main import Context
from cli.output import print_json
from core.errors import TalvixError
from core.safetext import literal

JOB_FIELDS = ("id", "source", "company", "title", "location", "url", "apply_url", "ats", "status")


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


class SourceFailed(TalvixError):
    exit_code = 3


def register(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("discover", help="read a job source (greenhouse:BOARD, lever:SITE, lever-eu:SITE, ashby:BOARD, "
                                        "rss:URL, jobspy:SEARCH) into jobs")
    d.add_argument("--source", required=True, metavar="KIND:NAME")
    d.add_argument("--base-url", default=None, metavar="URL", help="API host to use instead of [discovery] in talvix.toml")
    d.add_argument("--enqueue", action="store_true", help="queue a discover task instead of running now")
    d.add_argument("--json", action="store_true")
    d.set_defaults(handler=cmd_discover)

    j = sub.add_parser("jobs", help="list jobs, newest first")
    j.add_argument("--status", choices=("open", "closed", "all"), default="all")
    j.add_argument("--source", default=None, help="only jobs whose source starts with this (e.g. greenhouse:acme)")
    j.add_argument("--limit", type=int, default=200)
    j.add_argument("--json", action="store_true")
    j.set_defaults(handler=cmd_jobs)

    s = sub.add_parser("score", help="preview the fit of a candidate against open jobs, or of a job against "
                                     "candidates (writes nothing)")
    target = s.add_mutually_exclusive_group(required=True)
    target.add_argument("--candidate", type=int, metavar="ID")
    target.add_argument("--job", type=int, metavar="ID")
    s.add_argument("--top", type=int, default=20, help="how many pairs to show, best first (default 20)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_score)


def cmd_discover(ctx: Context) -> int:
    from core.jobs.discovery import SourcePaused, discover
    from core.jobs.sources import SourceBlocked, SourceError, parse_source

    args = ctx.args
    spec = parse_source(args.source)
    if args.enqueue:
        from core import queue
        from core.models import NewTask

        payload: dict[str, Any] = {"source": spec.name}
        if args.base_url:
            payload["base_url"] = args.base_url
        task, created = queue.enqueue(ctx.db(), NewTask("discover", payload))
        if args.json:

            print_json({"task_id": task.id, "created": created})
        else:
            print(f"queued discover task {task.id} for {spec.name}")
        return 0
    try:
        report = discover(ctx.db(), ctx.settings, spec.name, base_url=args.base_url)
    except SourceBlocked as exc:
        raise SourceFailed(f"{exc}; the source is paused (see the console's sites, or events)") from None
    except SourcePaused as exc:
        raise SourceFailed(str(exc)) from None
    except SourceError as exc:
        raise SourceFailed(str(exc)) from None
    data = report.as_json()
    if args.json:

        print_json(data)
        return 0
    print(f"{literal(spec.name).plain}: {report.listed} listed, {report.new} new, {report.changed} changed, "
          f"{report.unchanged} unchanged, {report.closed} closed; {len(report.follow_ons)} queued for jd_parse")
    return 0


def cmd_jobs(ctx: Context) -> int:
    from core.jobs.store import list_jobs

    args = ctx.args
    rows = list_jobs(ctx.db(), status=args.status, source=args.source, limit=args.limit)
    if args.json:

        print_json(rows)
        return 0
    table = Table("id", "status", "company", "title", "location", "ats", "source")
    for r in rows:
        table.add_row(str(r["id"]), r["status"], literal(r["company"], max_len=24), literal(r["title"], max_len=40),
                      literal(r["location"] + (f" [{r['workplace']}]" if r["workplace"] else ""), max_len=30),
                      literal(r["ats"] or "-"), literal(r["source"], max_len=30))
    _console().print(table)
    return 0


def cmd_score(ctx: Context) -> int:
    from core.scoring.run import score_candidate, score_job

    args = ctx.args
    if args.candidate is not None:
        run = score_candidate(ctx.db(), ctx.settings, args.candidate, keep_skips=args.top)
    else:
        run = score_job(ctx.db(), ctx.settings, args.job, keep_skips=args.top)
    top = run.matches[: max(0, args.top)]
    if args.json:

        print_json({"pairs": run.pairs, "decisions": run.counts, "matches": [m.as_json() for m in top]})
        return 0
    table = Table("candidate", "job", "score", "decision", "skills", "text", "exp", "loc", "salary", "knock-outs")
    for m in top:
        c = m.breakdown["components"]
        table.add_row(str(m.candidate_id), str(m.job_id), f"{m.score:.1f}", m.decision,
                      *(f"{c[k]['score']:.2f}" for k in ("skills", "text", "experience", "location", "salary")),
                      ", ".join(m.breakdown["knockouts"]) or "-")
    _console().print(table)
    print(f"{run.pairs} pairs: {run.counts['apply']} apply, {run.counts['review']} review, {run.counts['skip']} skip")
    return 0
