"""``talvix pipeline-demo``: the whole pipeline on the local sandbox job board, headless.

Starts the sandbox, adds the demo candidates, queues discovery and runs every agent in this process
(real runners, real Chromium), printing a progress line whenever the task counts change and a summary
whenever the pipeline goes idle. Useful over SSH, and as a smoke test of a build (``--exit-when-done``).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from typing import Any

from cli.main import Context
from cli.output import print_json
from core.errors import InvalidInput, TalvixError
from core.safetext import clean


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pipeline-demo",
        help="run the whole pipeline on the local sandbox job board with demo candidates (in-process runners)",
        description="Start the sandbox job board on 127.0.0.1, add the demo candidates, discover every sandbox "
                    "board and run every agent here until the pipeline is idle. Without --exit-when-done it "
                    "keeps running (approve parked applications from another terminal with talvix approve ID) "
                    "until Ctrl-C.",
    )
    p.add_argument("--exit-when-done", action="store_true",
                   help="exit once nothing is left to run (exit 1 if a task went dead or it timed out)")
    p.add_argument("--json", action="store_true",
                   help="print each summary as one JSON line on stdout (progress lines go to stderr)")
    p.add_argument("--candidates", type=int, default=None, metavar="N",
                   help="add only the first N demo candidates (default: all)")
    p.add_argument("--port", type=int, default=0, help="sandbox port on 127.0.0.1 (default 0: any free port)")
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                   help="with --exit-when-done, give up after this long (default 600)")
    p.set_defaults(handler=cmd_pipeline_demo)


def _say(text: str, *, json_mode: bool) -> None:
    """People's lines: stdout normally, stderr with --json (stdout then holds only JSON)."""
    stream = sys.stderr if json_mode else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def _short(value: Any, limit: int) -> str:
    text = clean(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_lines(summary: Any) -> list[str]:
    """The summary for people; text from job boards passes through :func:`clean` (no escape sequences)."""
    lines = [f"summary after {summary.elapsed_s:.1f}s (sandbox {summary.sandbox_url})"]
    by_source = ", ".join(f"{clean(k)} {v}" for k, v in summary.jobs_by_source.items())
    lines.append(f"  jobs discovered     {summary.jobs_discovered:>4}" + (f"  ({by_source})" if by_source else ""))
    by_status = ", ".join(f"{k} {v}" for k, v in sorted(summary.applications.items()))
    total = sum(summary.applications.values())
    lines.append(f"  applications        {total:>4}" + (f"  ({by_status})" if by_status else ""))
    lines.append(f"  submitted           {summary.submitted:>4}")
    lines.append(f"  awaiting approval   {summary.awaiting_approval:>4}")
    lines.append(f"  needs a person      {summary.needs_human:>4}")
    for p in summary.parked:
        who = _short(f"{p['candidate']} -> {p['job']} at {p['company']}", 120)
        hint = (f"talvix approve {p['task_id']}" if p["status"] == "awaiting_approval"
                else _short(p["reason"] or "", 160))
        lines.append(f"    task {p['task_id']} {p['status']}: {who}: {hint}")
    for d in summary.dead:
        lines.append(f"  dead task {d['task_id']} ({d['agent']}): {_short(d['error'] or '', 160)}")
    return lines


def cmd_pipeline_demo(ctx: Context) -> int:
    from demo.pipeline import format_counts, start_sandbox_pipeline

    args = ctx.args
    if not 0 <= args.port <= 65535:
        raise InvalidInput(f"--port {args.port} is not a port number; use 1-65535, or 0 for any free port")
    if args.timeout <= 0:
        raise TalvixError("--timeout must be a positive number of seconds")
    json_mode = bool(args.json)
    handle = start_sandbox_pipeline(ctx.settings, ctx.db(), candidates=args.candidates, port=args.port)
    stop = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def on_signal(signum: int, frame: Any) -> None:  # noqa: ARG001 - signal handler signature
        stop.set()

    for sig in previous:
        signal.signal(sig, on_signal)
    t0 = time.monotonic()
    summaries: list[Any] = []

    def on_idle(summary: Any) -> None:
        summaries.append(summary)
        if json_mode:
            print_json(summary.as_json())
            sys.stdout.flush()
        for line in summary_lines(summary):
            _say(line, json_mode=json_mode)
        if not args.exit_when_done:
            _say("idle: approve with `talvix approve ID` in another terminal; Ctrl-C stops", json_mode=json_mode)

    try:
        _say(f"sandbox job board: {handle.url}", json_mode=json_mode)
        for c in handle.candidates:
            _say(f"candidate {c.candidate_id}: {clean(c.name)} (policy {c.apply_policy})", json_mode=json_mode)
        _say(f"discovering {len(handle.sources)} sandbox boards; running every agent in this process",
             json_mode=json_mode)
        handle.start_runners()
        done = handle.watch(
            until_done=args.exit_when_done, timeout_s=args.timeout if args.exit_when_done else None, stop=stop,
            progress=lambda counts: _say(f"[{time.monotonic() - t0:6.1f}s] {format_counts(counts)}",
                                         json_mode=json_mode),
            on_idle=on_idle if not args.exit_when_done else None)
        handle.stop_runners()
        if args.exit_when_done:
            final = handle.summary(timed_out=not done and not stop.is_set())
            on_idle(final)
            if final.timed_out:
                raise TalvixError(f"the pipeline did not finish within {args.timeout:g}s: "
                                  f"{format_counts(final.tasks)}")
            if final.dead:
                d = final.dead[0]
                raise TalvixError(f"{len(final.dead)} task(s) went dead, e.g. task {d['task_id']} ({d['agent']}): "
                                  f"{_short(d['error'] or '', 200)}", hint="talvix tasks --status dead")
    finally:
        handle.stop()
        for sig, old in previous.items():
            signal.signal(sig, old)
    return 0
