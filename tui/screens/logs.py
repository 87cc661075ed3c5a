"""Logs: a live tail of events, filtered by agent, level, candidate, task or text; pause and follow.

Toolong's lesson: the plain ``Log`` widget draws only the visible lines and takes 100k lines in under
a second, and it never interprets markup; every line is cleaned of control sequences first.
"""

from __future__ import annotations

import textwrap
from collections import deque
from typing import Any

from rich.highlighter import Highlighter
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Log

from core.browse import filters, pages
from core.safetext import clean
from tui.keys import LOG_BINDINGS
from tui.screens.base import BaseView

MAX_LINES = 20_000
FIRST_PAGE = 500


#: Where the level sits in a formatted line ("MM-DD HH:MM:SS LEVEL   ..."), and its colour.
LEVEL_AT = 15
LEVEL_STYLE = {"ERROR": "bold red", "WARNING": "yellow", "INFO": "", "DEBUG": "dim"}
LINE_STYLE = {"ERROR": "red", "DEBUG": "dim"}


class LevelHighlighter(Highlighter):
    """Colours a log line by its level (the level word bold, error lines red, debug dim). Lines are
    plain text already cleaned of escapes; a style is added, no markup is read."""

    def highlight(self, text: Text) -> None:
        plain = text.plain
        if plain[:1] == " ":  # a wrapped continuation line: left plain
            return
        level = plain[LEVEL_AT:LEVEL_AT + 7].strip()
        if level in LINE_STYLE:
            text.stylize(LINE_STYLE[level])
        if LEVEL_STYLE.get(level):
            text.stylize(LEVEL_STYLE[level], LEVEL_AT, LEVEL_AT + len(level))
        text.stylize("dim", 0, 14)


def format_event(e: dict[str, Any]) -> str:
    parts = [e["ts"].strftime("%m-%d %H:%M:%S"), f"{e['level'].upper():<7}", f"{(e['agent'] or '-'):<12}"]
    if e.get("task_id"):
        parts.append(f"#{e['task_id']}")
    if e.get("candidate_id"):
        parts.append(f"c{e['candidate_id']}")
    parts.append(e["message"])
    return clean(" ".join(parts))


class LogsView(BaseView):
    VIEW = "logs"
    TITLE_TEXT = "Logs"
    SPEC = filters.EVENT_SPEC
    BINDINGS = [*LOG_BINDINGS]

    def __init__(self) -> None:
        super().__init__()
        self.last_id: int | None = None
        self.paused = False
        self.lines = 0
        self._shown_filter = None
        self.wrap = False
        self._raw: deque[str] = deque(maxlen=MAX_LINES)  # the lines unwrapped, to re-wrap on toggle

    def body(self) -> ComposeResult:
        log = Log(max_lines=MAX_LINES, auto_scroll=True, highlight=True, id="log")
        log.highlighter = LevelHighlighter()
        yield log

    @property
    def log_widget(self) -> Log:
        return self.query_one("#log", Log)

    def focus_main(self) -> None:
        self.log_widget.focus()

    def on_mount(self) -> None:
        self.log_widget.focus()

    def request(self) -> Any:
        restart = self._shown_filter != self.filter or self.last_id is None
        return (self.filter, None if restart else self.last_id)

    def fetch(self, req: Any) -> Any:
        flt, after = req
        if after is None:
            return req, pages.event_page(self.tapp.db, flt, limit=FIRST_PAGE)
        return req, pages.event_page(self.tapp.db, flt, limit=2000, after_id=after)

    def reload(self) -> None:
        if self.paused and self.last_id is not None and self._shown_filter == self.filter:
            self._status()
            return
        super().reload()

    def show(self, data: Any) -> None:
        (flt, after), rows = data
        if flt != self.filter:
            self.reload()
            return
        log = self.log_widget
        if after is None:
            log.clear()
            self._raw.clear()
            self.lines = 0
            self._shown_filter = flt
            self.last_id = 0
        if rows:
            lines = [format_event(e) for e in rows]
            self._raw.extend(lines)
            log.write_lines(self._wrapped(lines))
            self.lines += len(rows)
            self.last_id = max(self.last_id or 0, rows[-1]["id"])
        self._status()

    def _wrapped(self, lines: list[str]) -> list[str]:
        if not self.wrap:
            return lines
        width = max(20, self.log_widget.size.width - 2)
        out: list[str] = []
        for line in lines:
            out += textwrap.wrap(line, width, subsequent_indent=" " * (LEVEL_AT + 8), drop_whitespace=False,
                                 replace_whitespace=False) or [""]
        return out

    def _status(self) -> None:
        flags = "  PAUSED (space resumes)" if self.paused else ("" if self.log_widget.auto_scroll else "  not following (G)")
        self.set_status(f"{self.lines:,} lines{flags}{'  wrap' if self.wrap else ''}")

    def action_toggle_wrap(self) -> None:
        """``w``: wrap long lines at the width (continuations indented), or one line per event."""
        self.wrap = not self.wrap
        log = self.log_widget
        log.clear()
        log.write_lines(self._wrapped(list(self._raw)))
        self._status()

    def action_scroll_down(self) -> None:
        self.log_widget.auto_scroll = False
        self.log_widget.scroll_down(animate=False)
        self._status()

    def action_scroll_up(self) -> None:
        self.log_widget.auto_scroll = False
        self.log_widget.scroll_up(animate=False)
        self._status()

    def action_scroll_top(self) -> None:
        self.log_widget.auto_scroll = False
        self.log_widget.scroll_home(animate=False)
        self._status()

    def yank_text(self) -> tuple[str, str | None]:
        return "last log line", self._raw[-1] if self._raw else None

    def filter_changed(self) -> None:
        self.last_id = None
        self.reload()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused:
            self.reload()
        self._status()

    def action_follow(self) -> None:
        self.log_widget.auto_scroll = True
        self.log_widget.scroll_end(animate=False)
        self._status()
