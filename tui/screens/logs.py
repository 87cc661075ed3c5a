"""Logs: a live tail of events, filtered by agent, level, candidate, task or text; pause and follow.

Toolong's lesson: the plain ``Log`` widget draws only the visible lines and takes 100k lines in under
a second, and it never interprets markup; every line is cleaned of control sequences first.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Log

from core.browse import filters, pages
from core.safetext import clean
from tui.keys import LOG_BINDINGS
from tui.screens.base import BaseView

MAX_LINES = 20_000
FIRST_PAGE = 500


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
    BINDINGS = LOG_BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.last_id: int | None = None
        self.paused = False
        self.lines = 0
        self._shown_filter = None

    def body(self) -> ComposeResult:
        yield Log(max_lines=MAX_LINES, auto_scroll=True, id="log")

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
            self.lines = 0
            self._shown_filter = flt
            self.last_id = 0
        if rows:
            log.write_lines([format_event(e) for e in rows])
            self.lines += len(rows)
            self.last_id = max(self.last_id or 0, rows[-1]["id"])
        self._status()

    def _status(self) -> None:
        flags = "  PAUSED (space resumes)" if self.paused else ("" if self.log_widget.auto_scroll else "  not following (G)")
        self.set_status(f"{self.lines:,} lines{flags}")

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
