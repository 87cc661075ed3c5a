"""Live apply sessions (candidate, job, site, step, elapsed) with the latest screenshot beside them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from core.browse import pages
from tui.keys import SESSION_BINDINGS
from tui.screens.base import BaseView
from tui.screens.screenshot import ScreenshotScreen, copy_path, save_screenshot
from tui.text import age, lit, status
from tui.widgets.halfblock import HalfBlockImage
from tui.widgets.keyed_table import KeyedTable


class SessionsView(BaseView):
    VIEW = "sessions"
    TITLE_TEXT = "Sessions"
    BINDINGS = SESSION_BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, dict[str, Any]] = {}

    def body(self) -> ComposeResult:
        yield KeyedTable([("id", "id", 5), ("candidate", "candidate", 16), ("job", "job", 26), ("site", "site", 18),
                          ("step", "step", 13), ("elapsed", "elapsed", 8), ("state", "state", 10)], id="sessions")
        yield Static(id="shot-caption")
        yield HalfBlockImage(id="shot")

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#sessions", KeyedTable)

    def focus_main(self) -> None:
        self.table.focus()

    def on_mount(self) -> None:
        self.table.focus()

    def fetch(self, req: Any) -> Any:
        return pages.live_sessions(self.tapp.db)

    def show(self, data: Any) -> None:
        now = self.tapp.now()
        self.sessions = {str(s["id"]): s for s in data}
        rows = []
        for s in data:
            end = s["ended_at"] or now
            rows.append((str(s["id"]), (
                Text(str(s["id"])), lit(s["candidate"] or "", max_len=16),
                lit(f"{s['title'] or ''} · {s['company'] or ''}", max_len=26), lit(s["site"] or "", max_len=18),
                lit(s["step"], max_len=13), Text(age((end - s["started_at"]).total_seconds())),
                Text("live", style="bold green") if s["live"] else status(s["outcome"] or "ended"),
            )))
        self.table.sync(rows)
        live = sum(1 for s in data if s["live"])
        self.set_status(f"{live} live, {len(data) - live} recent")
        self._preview()

    def current(self) -> dict[str, Any] | None:
        key = self.table.cursor_key
        return self.sessions.get(key) if key else None

    def shot_path(self, s: dict[str, Any] | None) -> Path | None:
        if not s or not s.get("last_screenshot"):
            return None
        try:
            return self.tapp.storage.plain(self.tapp.storage.resolve(s["last_screenshot"]))
        except Exception:
            return None

    def _preview(self) -> None:
        s = self.current()
        path = self.shot_path(s)
        caption = Text()
        if s:
            caption.append("latest screenshot ", style="bold")
            caption.append_text(lit(s.get("last_screenshot") or "none"))
            if s.get("url"):
                caption.append("  ")
                caption.append_text(lit(s["url"], "dim", max_len=80))
        self.query_one("#shot-caption", Static).update(caption)
        self.query_one("#shot", HalfBlockImage).set_path(path if path and path.exists() else None)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._preview()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_screenshot()

    def _all_shots(self, s: dict[str, Any]) -> tuple[list[Path], int]:
        paths = []
        if s.get("application_id"):
            for rel in pages.application_screenshots(self.tapp.db, s["application_id"]):
                try:
                    paths.append(self.tapp.storage.plain(self.tapp.storage.resolve(rel)))
                except Exception:
                    continue
        last = self.shot_path(s)
        if last and last not in paths:
            paths.append(last)
        return paths, (paths.index(last) if last in paths else 0)

    def action_open_screenshot(self) -> None:
        s = self.current()
        if not s:
            return
        paths, index = self._all_shots(s)
        if not paths:
            self.notify("this session has no screenshot yet", markup=False)
            return
        self.app.push_screen(ScreenshotScreen(paths, index))

    def action_save_screenshot(self) -> None:
        path = self.shot_path(self.current())
        if path:
            save_screenshot(self.app, path)

    def action_copy_path(self) -> None:
        path = self.shot_path(self.current())
        if path:
            copy_path(self.app, path)
