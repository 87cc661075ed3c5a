"""``talvix sandbox``: run the local job board (board APIs, ATS forms, faults) until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.main import Context
from cli.output import print_json
from core.errors import InvalidInput, TalvixError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sandbox", help="run the local sandbox job board on 127.0.0.1 (for tests and the demo)")
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0 picks a free one)")
    p.add_argument("--data", metavar="DIR", default=None,
                   help="write every submission to DIR/submissions.jsonl (default: memory only)")
    p.add_argument("--quiet", action="store_true", help="do not log each request")
    p.add_argument("--json", action="store_true", help="print the URL and boards as one JSON line, then serve")
    p.set_defaults(handler=cmd_sandbox)


def cmd_sandbox(ctx: Context) -> int:
    """Start the server, print where everything is, and serve until interrupted."""
    from sandbox import SandboxServer

    args = ctx.args
    if not 0 <= args.port <= 65535:
        raise InvalidInput(f"--port {args.port} is not a port number; use 1-65535, or 0 for any free port")
    data = Path(args.data).expanduser() if args.data else None
    if data is not None and data.exists() and not data.is_dir():
        raise TalvixError(f"--data {data} is a file; give a directory for submissions.jsonl")
    log = None if args.quiet or args.json else (lambda line: print(line, file=sys.stderr, flush=True))
    try:
        server = SandboxServer(port=args.port, data_dir=data, log=log)
    except OSError as exc:
        raise TalvixError(f"cannot listen on 127.0.0.1:{args.port} ({exc.strerror}); "
                          "choose another --port, or --port 0 for any free port") from exc
    sources = server.sources()
    if args.json:
        print_json({"url": server.url, "sources": sources, "apis": server.api_urls(),
                    "submissions": f"{server.url}/_sandbox/submissions",
                    "data": str(data / "submissions.jsonl") if data else None})
    else:
        print(f"Talvix sandbox job board: {server.url}")
        print("Boards (discovery sources):")
        for s in sources:
            print(f"  {s['source']:<55} {s['company']}")
        print(f"Jobs and form URLs: {server.url}/_sandbox/jobs")
        print(f"Submissions:        {server.url}/_sandbox/submissions"
              + (f"  (and {data / 'submissions.jsonl'})" if data else ""))
        print(f"Faults:             POST {server.url}/_sandbox/faults   (see the README: Sandbox job board)")
        print("Press Ctrl-C to stop.")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
