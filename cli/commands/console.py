"""``talvix`` (no command), ``talvix console`` and ``talvix demo``: the operator console.

The console needs a terminal; scripts use ``talvix status --json`` and friends instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from cli.main import Context
from cli.output import print_json
from core.errors import InvalidInput, TalvixError

#: The console's views (tui.keys.VIEWS, spelled out here so that `talvix --help` does not import Textual;
#: tests/unit/test_cli_console_views.py keeps the two the same).
VIEWS = ("overview", "queue", "sessions", "approvals", "logs", "jobs", "candidates", "runners", "audit", "outcomes",
         "notifications")
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
    p.add_argument("--serve", action="store_true",
                   help="serve the console to a browser (textual-serve) instead of this terminal")
    p.add_argument("--host", default="127.0.0.1",
                   help="with --serve: address to bind (default loopback; anything else needs the printed token)")
    p.add_argument("--port", type=int, default=8765, help="with --serve: port (default 8765)")
    p.add_argument("--public-url", metavar="URL",
                   help="with --serve: the address browsers use, when it is not http://HOST:PORT (a proxy)")
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
    from tui.serve import SERVED_ENV

    if os.environ.get(SERVED_ENV) == "1" and os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver"):
        return  # one console of talvix console --serve: its terminal is the browser's
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise TalvixError("the console needs a terminal", hint="for scripts use talvix status --json or talvix tasks --json")


def _run_app(settings: Any, db: Any, args: argparse.Namespace, *, demo: bool = False,
             joined: str | None = None) -> int:
    from tui.app import TalvixApp

    app = TalvixApp(settings, db, readonly=True if getattr(args, "readonly", False) else None,
                    image_mode=getattr(args, "images", "halfblock"), start_view=getattr(args, "view", "overview"),
                    demo=demo)
    if joined:
        app.call_later(app.notify, joined, severity="warning", timeout=15, markup=False)
    if getattr(args, "runner", False):
        app.call_later(app.start_runner)
    _end_with_the_server(app)
    if demo and not getattr(args, "no_pipeline", True) and not app.readonly:
        app.call_later(app.start_demo_pipeline, getattr(args, "port", 0))
    try:
        app.run()
    finally:
        app.stop_all_runners()
    return int(app.return_code or 0)


def _end_with_the_server(app: Any) -> None:
    """A console served by ``talvix console --serve`` quits (its runner stopping as on any quit) when the
    server is gone; if it cannot within 15 s, the process ends anyway."""
    import threading

    from tui.serve import watch_server

    def gone() -> None:
        threading.Timer(15.0, os._exit, args=(0,)).start()
        try:
            app.call_from_thread(app.exit)
        except RuntimeError:  # the app is not running (any more)
            os._exit(0)

    watch_server(gone)


def open_console(ctx: Context) -> int:
    """What bare ``talvix`` runs: the console on the configured database (embedded by default)."""
    _need_terminal()
    return _run_app(ctx.settings, ctx.db(), ctx.args)


def cmd_console(ctx: Context) -> int:
    args = ctx.args
    if getattr(args, "serve", False):
        return serve_console(args)
    return open_console(ctx)


def serve_console(args: argparse.Namespace) -> int:
    """``talvix console --serve``: each browser tab gets its own console process with these options."""
    from tui.serve import serve

    if not 0 < args.port < 65536:
        raise TalvixError(f"--port must be between 1 and 65535, got {args.port}")
    try:
        import textual_serve  # noqa: F401
    except ImportError as exc:
        raise TalvixError("--serve needs textual-serve", hint="pip install textual-serve") from exc
    global_args: list[str] = []
    if args.config:
        global_args += ["--config", args.config]
    if args.data_dir:
        global_args += ["--data-dir", args.data_dir]
    console_args = ["--view", args.view, "--images", args.images]
    if args.readonly:
        console_args.append("--readonly")
    if args.runner:
        console_args.append("--runner")
    return serve(global_args, console_args, host=args.host, port=args.port, public_url=args.public_url)


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


def _joined(db: Any) -> str:
    """What to say when this demo opens a demo database seeded before (maybe by a demo still running)."""
    from core import fleet

    live = fleet.live_count(db, mode="console")
    if live:
        return (f"joined an existing demo database: another demo is running ({live} console runner(s) live); "
                "its pipeline and this one share the queue")
    return "opened the existing demo database (seeded before, not seeded again)"


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
        return _run_app(settings, db, args, demo=True, joined=_joined(db) if not seeded.get("seeded") else None)
    finally:
        db.close()
