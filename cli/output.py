"""What commands print: JSON for scripts (``--json``), tables and lines for people, errors as one line.

Every command module imports from here; outside text in a table goes through
:func:`core.safetext.literal` so no markup or escape sequence reaches the terminal.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


def print_json(data: Any) -> None:
    """One JSON document on stdout (dates as ISO strings, decimals as numbers, bytes left out)."""
    sys.stdout.write(json.dumps(data, default=_json_default, sort_keys=False) + "\n")


def _json_default(value: Any) -> Any:
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


def console() -> Console:
    """A console for tables: no highlighting of numbers or paths, no soft wrapping."""
    return Console(highlight=False, soft_wrap=False)


def print_table(table: Table) -> None:
    console().print(table)


def error(message: str, hint: str | None = None) -> None:
    """The one-line error every command ends with: ``talvix: error: <message> (<what to do>)``."""
    line = f"talvix: error: {message}"
    if hint:
        line += f" ({hint})"
    sys.stderr.write(line.replace("\n", " ") + "\n")
