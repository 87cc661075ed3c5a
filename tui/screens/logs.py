"""Logs: a live tail of events, filtered by agent, level, candidate, task or text; pause and follow.

Toolong's lesson: the plain ``Log`` widget draws only the visible lines and takes 100k lines in under
a second, and it never interprets markup; every line is cleaned of control sequences first.
"""

from __future__ import annotations

import re
import textwrap
from collections import deque
from typing import Any

from rich.highlighter import Highlighter
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.strip import Strip
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


#: A formatted line's task id: after the time, the level and the agent (never a ``#12`` in the message).
TASK_AT = re.compile(r"^\d\d-\d\d \d\d:\d\d:\d\d \S+ +\S+ +#(\d+)(?: |$)")
CURSOR_STYLE = Style(reverse=True)


class CursorLog(Log):
    """A Log with a cursor line (``j``/``k`` move it, the view follows it); ``cursor`` None: no cursor
    (following the tail). Only the cursor's line is restyled, the rest is the plain Log."""

    cursor: int | None = None

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if self.cursor is not None and y + self.scroll_offset.y == self.cursor:
            strip = strip.apply_style(CURSOR_STYLE)
        return strip

    def move_cursor(self, line: int) -> None:
        if not self.line_count:
            self.cursor = None
            return
        self.cursor = max(0, min(line, self.line_count - 1))
        top, height = self.scroll_offset.y, max(1, self.scrollable_content_region.height)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self.refresh()

    def line_task(self, line: int) -> int | None:
        """The task id of the event on display line ``line`` (a wrapped continuation: its event's)."""
        while line > 0 and self.lines[line][:1] == " ":
            line -= 1
        if not 0 <= line < self.line_count:
            return None
        m = TASK_AT.match(self.lines[line])
        return int(m.group(1)) if m else None


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
        log = CursorLog(max_lines=MAX_LINES, auto_scroll=True, highlight=True, id="log")
        log.highlighter = LevelHighlighter()
        yield log

    @property
    def log_widget(self) -> CursorLog:
        return self.query_one("#log", CursorLog)

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
            wrapped = self._wrapped(lines)
            before = log.line_count
            log.write_lines(wrapped)
            if log.cursor is not None:  # the oldest lines were dropped: the cursor stays on its line
                dropped = before + len(wrapped) - log.line_count
                log.cursor = log.cursor - dropped if log.cursor >= dropped else None
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
        log.cursor = None
        log.write_lines(self._wrapped(list(self._raw)))
        self._status()

    def _cursor_from(self) -> int:
        """Where a first ``j``/``k`` starts: the last line on screen."""
        log = self.log_widget
        if log.cursor is not None:
            return log.cursor
        return min(log.line_count - 1, log.scroll_offset.y + log.scrollable_content_region.height - 1)

    def action_scroll_down(self) -> None:
        """``j``: the cursor one line down (and the view with it); the tail is no longer followed."""
        log = self.log_widget
        log.auto_scroll = False
        start = log.cursor is None
        log.move_cursor(self._cursor_from() + (0 if start else 1))
        self._status()

    def action_scroll_up(self) -> None:
        log = self.log_widget
        log.auto_scroll = False
        start = log.cursor is None
        log.move_cursor(self._cursor_from() - (0 if start else 1))
        self._status()

    def action_scroll_top(self) -> None:
        log = self.log_widget
        log.auto_scroll = False
        log.scroll_home(animate=False, immediate=True)
        log.move_cursor(0)
        self._status()

    def action_open_task(self) -> None:
        """``enter``: the task of the line under the cursor (the last line when there is no cursor)."""
        log = self.log_widget
        if not log.line_count:
            return
        line = log.cursor if log.cursor is not None else log.line_count - 1
        task_id = log.line_task(line)
        if task_id is None:
            self.notify("this log line names no task", markup=False)
            return
        from tui.screens.task_detail import TaskDetailScreen

        self.app.push_screen(TaskDetailScreen(task_id))

    def yank_text(self) -> tuple[str, str | None]:
        log = self.log_widget
        if log.cursor is not None and log.cursor < log.line_count:
            return "log line", log.lines[log.cursor]
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
        self.log_widget.cursor = None
        self.log_widget.auto_scroll = True
        self.log_widget.scroll_end(animate=False)
        self._status()
