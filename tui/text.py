"""Formatting shared by the console's screens: ages, counts, state colours, safe text.

Everything from the database that a person or a web page wrote goes through :func:`lit` (a Rich
``Text`` built by ``core.safetext.literal``), so no markup or escape sequence from it is interpreted.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.text import Text

from core.safetext import clean, literal

STATUS_STYLE = {
    "queued": "cyan",
    "running": "bold green",
    "succeeded": "green",
    "failed": "yellow",
    "dead": "bold red",
    "cancelled": "dim",
    "awaiting_approval": "bold magenta",
    "needs_human": "bold magenta",
    "unknown_outcome": "bold red",
    "submitted": "green",
    "applying": "bold green",
    "withdrawn": "dim",
    "open": "green",
    "closed": "dim",
    "gone": "dim",
    "stopping": "yellow",
    "error": "bold red",
    "warning": "yellow",
    "info": "",
    "debug": "dim",
}


def lit(value: Any, style: str = "", max_len: int | None = None, *, keep_newlines: bool = False) -> Text:
    """Literal text from the outside world: one line, or its own lines with ``keep_newlines``."""
    return literal("" if value is None else value, style, max_len=max_len, keep_newlines=keep_newlines)


def status(value: str | None) -> Text:
    return lit(value or "", STATUS_STYLE.get(value or "", ""))


def age(seconds: float | None) -> str:
    """A compact age: 42s, 7m, 3h, 5d."""
    if seconds is None:
        return ""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}"
    return f"{s // 86400}d{(s % 86400) // 3600:02d}h"


def age_next_tick(seconds: float) -> int:
    """The age in seconds at which :func:`age` next shows something else (cells built now stay right
    until then): every second under a minute, every minute under a day, then every hour."""
    s = max(0, int(seconds))
    if s < 60:
        return s + 1
    if s < 86400:
        return (s // 60 + 1) * 60
    return (s // 3600 + 1) * 3600


def since(ts: datetime | None, now: datetime) -> str:
    return "" if ts is None else age((now - ts).total_seconds())


def count(n: int | None) -> str:
    return "?" if n is None else f"{n:,}"


def stamp(ts: datetime | None) -> str:
    return "" if ts is None else ts.strftime("%Y-%m-%d %H:%M:%S")


def pretty_json(value: Any) -> Text:
    """Indented JSON shown literally (payloads and results may carry text from web pages)."""
    try:
        body = json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        body = repr(value)
    return Text(clean(body, keep_newlines=True))


def kv(pairs: list[tuple[str, Any]], width: int = 12) -> Text:
    """``label  value`` lines; labels are ours, values literal."""
    out = Text()
    for label, value in pairs:
        out.append(f"{label:<{width}} ", style="bold")
        out.append_text(value if isinstance(value, Text) else lit(value))
        out.append("\n")
    return out
