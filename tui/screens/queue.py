"""The queue: every task, paged from the database, filtered; retry, cancel, bulk retry, marks.

Actions always go by task id (the marked ids, else the id under the cursor), never by row position,
so a refresh that moves rows between the keypress and the action cannot hit the wrong task.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rich.text import Text

from core import queue
from core.browse import filters, pages
from core.browse.filters import Filter
from core.browse.pages import Window
from core.models import RETRYABLE_STATES
from tui.keys import QUEUE_BINDINGS
from tui.screens.dialogs import ConfirmScreen
from tui.screens.paged import PagedView
from tui.text import age, age_next_tick, lit, status

CANCELLABLE = ("queued", "failed", "running", "awaiting_approval", "needs_human")


class QueueView(PagedView):
    VIEW = "queue"
    TITLE_TEXT = "Queue"
    SPEC = filters.TASK_SPEC
    NOUN = "tasks"
    BINDINGS = QUEUE_BINDINGS
    COLUMNS = [("mark", " ", 1), ("id", "id", 7), ("agent", "agent", 12), ("status", "status", 17),
               ("try", "try", 5), ("site", "site", 20), ("age", "age", 6), ("error", "error", None)]

    def __init__(self) -> None:
        super().__init__()
        self.marked: set[int] = set()

    def fetch_window(self, flt: Filter, limit: int, before_id: int | None) -> Window:
        return pages.task_window(self.tapp.db, flt, limit=limit, before_id=before_id)

    def fetch_count(self, flt: Filter) -> int | None:
        return pages.task_count(self.tapp.db, flt)

    def _age(self, r: dict[str, Any]) -> str:
        now = self.shown_at if self.shown_at is not None else self.tapp.now()
        return age((now - r["updated_at"]).total_seconds())

    def cells(self, r: dict[str, Any]) -> tuple[Any, ...]:
        return (
            Text("●", style="bold yellow") if r["id"] in self.marked else Text(" "),
            Text(str(r["id"])),
            lit(r["agent"], max_len=12),
            status(r["status"]),
            Text(f"{r['attempts']}/{r['max_attempts']}"),
            lit(r["site"] or "", max_len=20),
            Text(self._age(r)),
            lit(r["last_error"] or "", "red" if r["status"] in ("failed", "dead") else "", max_len=80),
        )

    def cell_token(self, r: dict[str, Any]) -> Any:
        return r["id"] in self.marked

    def cells_state(self) -> Any:
        return frozenset(self.marked)

    def cells_valid_until(self, r: dict[str, Any]) -> Any:
        now = self.shown_at if self.shown_at is not None else self.tapp.now()
        return r["updated_at"] + timedelta(seconds=age_next_tick((now - r["updated_at"]).total_seconds()))

    def extra_status(self) -> str:
        return f"  {len(self.marked)} marked" if self.marked else ""

    def open_detail(self, key: str) -> None:
        from tui.screens.task_detail import TaskDetailScreen

        self.app.push_screen(TaskDetailScreen(int(key)))

    # -- marks --------------------------------------------------------------------------------
    def targets(self) -> list[int]:
        if self.marked:
            return sorted(self.marked)
        key = self.table.cursor_key
        return [int(key)] if key is not None else []

    def _redraw(self, key: str) -> None:
        if key in self.rows:
            cells = self.cells(self.rows[key])
            self.table.update_cell(key, "mark", cells[0])
            self.table._cells[key] = cells

    def action_mark(self) -> None:
        key = self.table.cursor_key
        if key is None:
            return
        tid = int(key)
        self.marked.symmetric_difference_update({tid})
        self._redraw(key)
        self.table.action_cursor_down()
        self.update_status()

    def action_unmark(self) -> None:
        keys = [str(k) for k in self.marked]
        self.marked.clear()
        for key in keys:
            self._redraw(key)
        self.update_status()

    # -- actions ------------------------------------------------------------------------------
    def action_retry(self) -> None:
        ids = self.targets()
        if not ids:
            return
        who = self.tapp.who

        def run() -> str:
            done = queue.retry(self.tapp.db, ids, who=who)
            skipped = len(ids) - len(done)
            return f"retried {len(done)} task(s)" + (f"; {skipped} not retryable (state)" if skipped else "")

        self.marked.clear()
        self.tapp.act("retry", run)

    def action_cancel_tasks(self) -> None:
        ids = self.targets()
        if not ids:
            return
        who = self.tapp.who
        shown = ", ".join(map(str, ids[:10])) + (" ..." if len(ids) > 10 else "")

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return

            def run() -> str:
                done = queue.cancel(self.tapp.db, ids, who=who)
                return f"cancelled {len(done)} task(s)" + (
                    f"; {len(ids) - len(done)} had already finished" if len(done) < len(ids) else "")

            self.marked.clear()
            self.tapp.act("cancel", run)

        self.app.push_screen(ConfirmScreen(f"Cancel {len(ids)} task(s)?", Text(f"tasks: {shown}\n"
                                           "A running task loses its lease and its worker stops."), "Cancel tasks"),
                             confirmed)

    def action_bulk_retry(self) -> None:
        flt = self.filter
        db = self.tapp.db
        who = self.tapp.who

        def counted(ids: list[int]) -> None:
            if not ids:
                self.notify("nothing to retry: no failed, dead, cancelled or needs_human task matches the filter",
                            markup=False)
                return
            desc = flt.text or "(no filter: every task)"

            def confirmed(ok: bool | None) -> None:
                if ok:
                    self.tapp.act("bulk retry", lambda: f"retried {len(pages.retry_ids(db, ids, who=who))} task(s)")

            body = Text(f"{len(ids):,} task(s) in {', '.join(RETRYABLE_STATES)} match the filter\n")
            body.append_text(lit(desc))
            self.app.push_screen(ConfirmScreen(f"Retry {len(ids):,} task(s)?", body, f"Retry {len(ids):,}"), confirmed)

        self.tapp.fetch_then(lambda: pages.retryable_ids(db, flt), counted)
