"""Apply sessions (candidate, job, site, step, elapsed, state), paged and filtered, with the latest
screenshot of the one under the cursor.

A session is ``live`` only while the runner driving it still beats; one whose runner is gone is
``stale`` (it will never end by itself: the reaper or an operator settles its task).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from core.browse import filters, pages
from core.browse.filters import Filter
from core.browse.pages import Window
from tui.keys import OUTCOME_RECORD_BINDINGS, SESSION_BINDINGS
from tui.screens.paged import PagedView
from tui.screens.screenshot import ScreenshotScreen, copy_path, save_screenshot
from tui.text import age, lit, status
from tui.widgets.halfblock import HalfBlockImage
from tui.widgets.keyed_table import KeyedTable

STATE_STYLE = {"live": "bold green", "stale": "bold yellow"}


class SessionsView(PagedView):
    VIEW = "sessions"
    TITLE_TEXT = "Sessions"
    SPEC = filters.SESSION_SPEC
    NOUN = "sessions"
    BINDINGS = [*SESSION_BINDINGS, *OUTCOME_RECORD_BINDINGS]
    COLUMNS = [("id", "id", 5), ("candidate", "candidate", 16), ("job", "job", 26), ("site", "site", 18),
               ("step", "step", 13), ("elapsed", "elapsed", 8), ("state", "state", 10)]

    def body(self) -> ComposeResult:
        yield KeyedTable(self.COLUMNS, id="table", classes="sessions")
        yield Static(id="shot-caption")
        yield HalfBlockImage(id="shot")

    @property
    def sessions(self) -> dict[str, Any]:
        return self.rows

    def on_mount(self) -> None:
        self.table.focus()

    def _stale_s(self) -> float:
        return float(self.tapp.settings.queue.runner_stale_seconds)

    SORTS = pages.SESSION_SORTS

    def fetch_window(self, flt: Filter, limit: int, before_id: int | None, order: tuple[str, bool] | None = None,
                     offset: int = 0) -> Window:
        return pages.session_window(self.tapp.db, flt, limit=limit, before_id=before_id,
                                      now=self.tapp.clock_now(), stale_s=self._stale_s(), order=order, offset=offset)

    def fetch_count(self, flt: Filter) -> int | None:
        return pages.session_count(self.tapp.db, flt, now=self.tapp.clock_now(), stale_s=self._stale_s())

    def cells(self, s: dict[str, Any]) -> tuple[Any, ...]:
        now = self.shown_at if self.shown_at is not None else self.tapp.now()
        end = s["ended_at"] or now
        state = s["state"]
        return (
            Text(str(s["id"])), lit(s["candidate"] or "", max_len=40),
            lit(f"{s['title'] or ''} · {s['company'] or ''}", max_len=80), lit(s["site"] or "", max_len=40),
            lit(s["step"], max_len=20), Text(age((end - s["started_at"]).total_seconds())),
            Text(state, style=STATE_STYLE[state]) if state in STATE_STYLE else status(s["outcome"] or "ended"),
        )

    def cells_valid_until(self, s: dict[str, Any]) -> Any:
        if s["ended_at"] is not None:
            return None
        from datetime import timedelta

        from tui.text import age_next_tick

        now = self.shown_at if self.shown_at is not None else self.tapp.now()
        return s["started_at"] + timedelta(seconds=age_next_tick((now - s["started_at"]).total_seconds()))

    def show(self, data: Any) -> None:
        super().show(data)
        self._preview()

    def extra_status(self) -> str:
        live = sum(1 for s in self.rows.values() if s["state"] == "live")
        stale = sum(1 for s in self.rows.values() if s["state"] == "stale")
        return f"  {live} live" + (f", {stale} stale (runner gone)" if stale else "")

    def current(self) -> dict[str, Any] | None:
        key = self.table.cursor_key
        return self.rows.get(key) if key else None

    def shot_path(self, s: dict[str, Any] | None) -> Path | None:
        if not s or not s["last_screenshot"]:
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
            caption.append_text(lit(s["last_screenshot"] or "none"))
            if s["url"]:
                caption.append("  ")
                caption.append_text(lit(s["url"], "dim", max_len=80))
        self.query_one("#shot-caption", Static).update(caption)
        self.query_one("#shot", HalfBlockImage).set_path(path if path and path.exists() else None)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._preview()

    def open_detail(self, key: str) -> None:
        self.action_open_screenshot()

    def _all_shots(self, s: dict[str, Any]) -> tuple[list[Path], int]:
        paths = []
        if s["application_id"]:
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
        self.app.push_screen(ScreenshotScreen(paths, index, context={
            "session": s["id"], "candidate": s["candidate"], "step": s["step"], "application_id": s["application_id"],
            "task_id": s["task_id"], "job": f"{s['title'] or ''} at {s['company'] or ''}" if s["title"] or s["company"] else None}))

    def action_save_screenshot(self) -> None:
        path = self.shot_path(self.current())
        if path:
            save_screenshot(self.app, path)

    def action_copy_path(self) -> None:
        path = self.shot_path(self.current())
        if path:
            copy_path(self.app, path)

    def action_record_outcome(self) -> None:
        """``O``: record the outcome of this session's application (as ``talvix outcome``)."""
        from tui.screens.outcome_dialog import record_outcome_dialog

        s = self.current()
        if not s:
            return
        about = lit(f"{s['candidate'] or ''} · {s['title'] or ''} at {s['company'] or ''}", max_len=200)
        record_outcome_dialog(self.tapp, s["application_id"], about, after=self.reload)

    def yank_text(self) -> tuple[str, str | None]:
        s = self.current()
        return "session id", str(s["id"]) if s else None
