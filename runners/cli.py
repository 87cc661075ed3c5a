"""The ``talvix`` command.

Each area registers its own sub-commands from a module in ``runners/commands/`` (``register(sub)``), so
the parts of Talvix stay apart. ``talvix`` alone opens the console. Errors are one line on stderr with
the exit code scripts rely on (2 for a bad setting); no tracebacks unless ``TALVIX_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from core.errors import TalvixError

#: Modules under runners/commands that add sub-commands. Later issues append here.
COMMAND_MODULES = [
    "runners.commands.core",
    "runners.commands.runner",
    "runners.commands.candidates",
    "runners.commands.jobs",
    "runners.commands.sandbox",
    "runners.commands.apply",
    "runners.commands.console",
    "runners.commands.pipeline",
    "runners.commands.outcomes",
]


class Context:
    """Lazily built settings and database for one command invocation."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._settings: Any = None
        self._db: Any = None

    @property
    def settings(self) -> Any:
        if self._settings is None:
            from core.config import load_settings

            overrides: dict[str, Any] = {}
            if getattr(self.args, "data_dir", None):
                overrides["data_dir"] = self.args.data_dir
            if getattr(self.args, "database_url", None):
                overrides["database_url"] = self.args.database_url
            self._settings = load_settings(getattr(self.args, "config", None), **overrides)
        return self._settings

    def db(self, migrate: bool = True) -> Any:
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


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=_json_default, sort_keys=False) + "\n")


def _json_default(value: Any) -> Any:
    from datetime import date, datetime
    from decimal import Decimal
    from pathlib import Path

    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return None
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


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
            mod = importlib.import_module("runners.commands.console")
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
        _error(str(exc), exc.hint)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # an unexpected failure: still one line, the traceback only on request
        if os.environ.get("TALVIX_DEBUG"):
            raise
        from core.db import redact

        _error(redact(f"unexpected {type(exc).__name__}: {exc}"),
               "run again with TALVIX_DEBUG=1 for the traceback and report it")
        return 1
    finally:
        ctx.close()


def _error(message: str, hint: str | None = None) -> None:
    line = f"talvix: error: {message}"
    if hint:
        line += f" ({hint})"
    sys.stderr.write(line.replace("\n", " ") + "\n")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
