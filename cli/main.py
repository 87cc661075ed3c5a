"""The ``talvix`` command.

Each area registers its own sub-commands from a module in ``cli/commands/`` (``register(sub)``), so
the parts of Talvix stay apart. ``talvix`` alone opens the console. Errors are one line on stderr with
the exit code scripts rely on (2 for a bad setting); no tracebacks unless ``TALVIX_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cli.output import error
from core.errors import TalvixError

if TYPE_CHECKING:
    from core.config import Settings
    from core.db import Database

#: Modules under cli/commands that add sub-commands. Later issues append here.
COMMAND_MODULES = [
    "cli.commands.core",
    "cli.commands.runner",
    "cli.commands.candidates",
    "cli.commands.jobs",
    "cli.commands.sandbox",
    "cli.commands.apply",
    "cli.commands.console",
    "cli.commands.pipeline",
    "cli.commands.notify",
    "cli.commands.outcomes",
]


class Context:
    """One command invocation: its parsed arguments, and settings and a database built on first use."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._settings: Settings | None = None
        self._db: Database | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from core.config import load_settings

            overrides: dict[str, Any] = {}
            if getattr(self.args, "data_dir", None):
                overrides["data_dir"] = self.args.data_dir
            if getattr(self.args, "database_url", None):
                overrides["database_url"] = self.args.database_url
            self._settings = load_settings(getattr(self.args, "config", None), **overrides)
        return self._settings

    def db(self, migrate: bool = True) -> Database:
        """The database, migrated to the current schema unless ``migrate`` is False."""
        if self._db is None:
            from core import db as dbmod

            self._db = dbmod.connect(self.settings)
            if migrate:
                dbmod.ensure_schema(self._db)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="talvix",
        description="Talvix: automated job applications with a human in charge. With no command, opens the console.",
    )
    parser.add_argument("--config", metavar="FILE", help="settings file (default: ./talvix.toml if present)")
    parser.add_argument("--data-dir", metavar="DIR", help="data directory (overrides TALVIX_DATA_DIR)")
    parser.set_defaults(handler=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[Context], int | None] | None = args.handler
    if handler is None:
        # No sub-command: the console, if it is installed in this build.
        console = getattr(args, "console_handler", None)
        try:
            mod = importlib.import_module("cli.commands.console")
            handler = mod.open_console
        except ImportError:
            handler = console
        if handler is None:
            parser.print_help()
            return 0
    ctx = Context(args)
    try:
        code = handler(ctx)
        return int(code or 0)
    except TalvixError as exc:
        error(str(exc), exc.hint)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # an unexpected failure: still one line, the traceback only on request
        if os.environ.get("TALVIX_DEBUG"):
            raise
        from core.db import redact

        error(redact(f"unexpected {type(exc).__name__}: {exc}"),
               "run again with TALVIX_DEBUG=1 for the traceback and report it")
        return 1
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
