"""``talvix`` (no command), ``talvix console`` and ``talvix demo``: the operator console.

The console needs a terminal; scripts use ``talvix status --json`` and friends instead.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cli.main import Context
from cli.output import print_json
from core.errors import InvalidInput, TalvixError

VIEWS = ("overview", "queue", "sessions", "approvals", "logs", "jobs", "candidates", "runners", "audit")
IMAGE_MODES = ("halfblock", "sixel", "kitty", "auto")


def _console_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--readonly", action="store_true", help="look, never change (no retry, cancel, approve...)")
    p.add_argument("--view", choices=VIEWS, default="overview", help="the view to open first")
    p.add_argument("--images", choices=IMAGE_MODES, default="halfblock",
                   help="screenshot rendering: halfblock works everywhere; sixel/kitty need talvix[images]")
    p.add_argument("--runner", action="store_true", help="start an in-process runner for every agent at once")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("console", help="open the operator console (also: talvix with no command)")
    _console_options(p)
    p.set_defaults(handler=cmd_console)
    d = sub.add_parser("demo", help="open the console on a demo data set (separate embedded database)")
    _console_options(d)
    d.add_argument("--seed-only", action="store_true", help="create and seed the demo database, then exit")
    d.add_argument("--json", action="store_true", help="with --seed-only: print what was seeded as JSON")
    d.add_argument("--no-pipeline", action="store_true",
                   help="do not run the live pipeline (sandbox job board + every agent in this process)")
    d.add_argument("--port", type=int, default=0, help="sandbox job board port on 127.0.0.1 (default: any free)")
    d.set_defaults(handler=cmd_demo)


def _need_terminal() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise TalvixError("the console needs a terminal", hint="for scripts use talvix status --json or talvix tasks --json")


def _run_app(settings: Any, db: Any, args: argparse.Namespace, *, demo: bool = False) -> int:
    from tui.app import TalvixApp

    app = TalvixApp(settings, db, readonly=True if getattr(args, "readonly", False) else None,
                    image_mode=getattr(args, "images", "halfblock"), start_view=getattr(args, "view", "overview"),
                    demo=demo)
    if getattr(args, "runner", False):
        app.call_later(app.start_runner)
    if demo and not getattr(args, "no_pipeline", True) and not app.readonly:
        app.call_later(app.start_demo_pipeline, getattr(args, "port", 0))
    try:
        app.run()
    finally:
        app.stop_all_runners()
    return int(app.return_code or 0)


def open_console(ctx: Context) -> int:
    """What bare ``talvix`` runs: the console on the configured database (embedded by default)."""
    _need_terminal()
    return _run_app(ctx.settings, ctx.db(), ctx.args)


def cmd_console(ctx: Context) -> int:
    return open_console(ctx)


def demo_database(settings: Any) -> tuple[Any, Any]:
    """Settings and a migrated database for the demo: an embedded Postgres under ``<data dir>/demo``."""
    from core.db import Database, ensure_embedded, migrate

    demo_dir = settings.data_dir / "demo"
    demo_settings = settings.model_copy(update={"data_dir": demo_dir, "storage_root": None, "database_url": None,
                                                "encryption_key": None})
    db = Database(ensure_embedded(demo_dir), min_size=1, max_size=settings.database.pool_max,
                  timeout=settings.database.connect_timeout_s, application_name="talvix-demo")
    db.pool.wait(timeout=settings.database.connect_timeout_s)
    migrate(db)
    return demo_settings, db


def cmd_demo(ctx: Context) -> int:
    from core import netguard
    from demo.seed import seed_demo

    args = ctx.args
    if not 0 <= args.port <= 65535:
        raise InvalidInput(f"--port {args.port} is not a port number; use 1-65535, or 0 for any free port")
    if not args.seed_only:
        _need_terminal()
    # The demo's synthetic jobs name real-looking hosts: nothing in this process may reach past loopback.
    netguard.enable()
    settings, db = demo_database(ctx.settings)
    try:
        seeded = seed_demo(settings, db)
        if args.seed_only:
            info = {**seeded, "data_dir": str(settings.data_dir)}
            if args.json:

                print_json(info)
            else:
                print(f"demo data in {settings.data_dir}: {seeded}")
            return 0
        return _run_app(settings, db, args, demo=True)
    finally:
        db.close()
