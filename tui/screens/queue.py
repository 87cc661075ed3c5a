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
from tui.keys import QUEUE_BINDINGS
from tui.screens.dialogs import ConfirmScreen
from tui.screens.paged import PagedView
from tui.text import age, age_next_tick, lit, status

CANCELLABLE = ("queued", "failed", "running", "awaiting_approval", "needs_human")


def retry_with_care(app: Any, ids: list[int], *, before: Any = None, after: Any = None) -> None:
    """Retry ``ids``. ``apply`` tasks, and cancelled or rejected ones, ask first (Cancel focused): an
    apply retry opens a browser on an employer's site again, and a cancelled task was stopped by
    someone on purpose. ``before`` runs when the retry goes ahead, ``after`` once it is done."""
    if app.readonly:
        app.act("retry", lambda: None)  # says read-only
        return
    db, who = app.db, app.who

    def run() -> str:
        done = queue.retry(db, ids, who=who)
        skipped = len(ids) - len(done)
        return f"retried {len(done)} task(s)" + (f"; {skipped} not retryable (state)" if skipped else "")

    def go() -> None:
        if before is not None:
            before()
        app.act("retry", run, after=after)

    def checked(rows: list[dict[str, Any]]) -> None:
        risky = [r for r in rows if r["agent"] == "apply" or r["status"] == "cancelled"]
        if not risky:
            go()
            return
        body = Text()
        for r in risky[:8]:
            body.append(f"task {r['id']} ", style="bold")
            body.append_text(status(r["status"]))
            body.append(" ")
            body.append_text(lit(r["agent"]))
            if r["status"] == "cancelled":
                body.append(" ")
                body.append_text(lit(r["last_error"] or "(cancelled or rejected on purpose)", "dim", max_len=80))
            body.append("\n")
        if len(risky) > 8:
            body.append(f"... and {len(risky) - 8} more\n")
        if any(r["agent"] == "apply" for r in risky):
            body.append("An apply retry opens the employer's site and may submit an application.\n", style="bold")

        def confirmed(ok: bool | None) -> None:
            if ok:
                go()

        app.push_screen(ConfirmScreen(f"Retry {len(ids)} task(s)?", body, f"Retry {len(ids)}"), confirmed)

    app.fetch_then(lambda: pages.task_states(db, ids), checked)


class QueueView(PagedView):
    VIEW = "queue"
    TITLE_TEXT = "Queue"
    SPEC = filters.TASK_SPEC
    NOUN = "tasks"
    BINDINGS = [*QUEUE_BINDINGS]
    COLUMNS = [("mark", " ", 1), ("id", "id", 7), ("agent", "agent", 12), ("status", "status", 17),
               ("try", "try", 5), ("site", "site", 20), ("age", "age", 6), ("error", "error", None)]

    def __init__(self) -> None:
        super().__init__()
        self.marked: set[int] = set()

    SORTS = pages.TASK_SORTS

    def fetch_window(self, flt: Filter, limit: int, before_id: int | None, order: tuple[str, bool] | None = None,
                     offset: int = 0) -> Window:
        return pages.task_window(self.tapp.db, flt, limit=limit, before_id=before_id, order=order, offset=offset)

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

    def action_errors(self) -> None:
        """``E``: the failed and dead tasks of this filter grouped by normalised error."""
        from tui.screens.errors import ErrorsScreen

        self.app.push_screen(ErrorsScreen(self.filter))

    def yank_text(self) -> tuple[str, str | None]:
        """The marked ids, else the cursor's task id."""
        ids = self.targets()
        return ("task ids" if len(ids) > 1 else "task id"), " ".join(map(str, ids)) or None

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
        """Retry the marked tasks (else the cursor's), asking first when that is risky."""
        ids = self.targets()
        if not ids:
            return

        def retried() -> None:
            self.marked.clear()

        retry_with_care(self.tapp, ids, before=retried)

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
        """Retry everything the filter matches that can be retried, after showing what that is by state
        and agent. Cancelled tasks stay out unless the filter asks for them (``status:cancelled``)."""
        flt = self.filter
        db = self.tapp.db
        who = self.tapp.who
        term = flt.get("status")
        include_cancelled = bool(term and "cancelled" in term.values)

        def counted(found: dict[str, Any]) -> None:
            ids = found["ids"]
            left_out = found["cancelled_left_out"]
            if not ids:
                self.notify("nothing to retry: no failed, dead or needs_human task matches the filter"
                            + (f" ({left_out:,} cancelled left out: add status:cancelled)" if left_out else ""),
                            markup=False)
                return
            body = Text()
            body.append("filter: ", style="bold")
            body.append_text(lit(flt.text or "(none: every task)"))
            body.append("\n")
            for state, agent, n in found["groups"][:12]:
                body.append(f"{n:>8,}  ")
                body.append_text(status(state))
                body.append("  ")
                body.append_text(lit(agent))
                body.append("\n")
            if len(found["groups"]) > 12:
                body.append(f"... and {len(found['groups']) - 12} more groups\n")
            if left_out:
                body.append(f"{left_out:,} cancelled task(s) left out (filter status:cancelled to include them)\n",
                            style="dim")

            def confirmed(ok: bool | None) -> None:
                if ok:
                    self.tapp.act("bulk retry", lambda: f"retried {len(pages.retry_ids(db, ids, who=who))} task(s)")

            self.app.push_screen(ConfirmScreen(f"Retry {len(ids):,} task(s)?", body, f"Retry {len(ids):,}"), confirmed)

        self.tapp.fetch_then(lambda: pages.retry_breakdown(db, flt, include_cancelled=include_cancelled), counted)
