"""Failed and dead tasks grouped by agent and normalised error message, with counts, as Sidekiq's and
Oban's dashboards do; retry or cancel a whole group (confirmed, Cancel focused).

Opened with ``E`` from the queue: the queue's filter applies. Messages are normalised in SQL
(numbers, ids and quoted values folded), so "timeout after 30s on 7" and "... 31s on 9" are one group.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from core import queue
from core.browse import pages
from core.browse.filters import Filter
from tui.keys import ERRORS_BINDINGS, SCROLL_BINDINGS, WRITE_ACTIONS, YANK_BINDINGS
from tui.screens.base import Fetching, ReadonlyKeys
from tui.screens.dialogs import ConfirmScreen
from tui.screens.search import SEARCH_BINDINGS, TableSearch
from tui.text import lit, since
from tui.widgets.keyed_table import KeyedTable
from tui.widgets.status_line import StatusLine


class ErrorsScreen(TableSearch, ReadonlyKeys, Fetching, Screen[None]):
    SEARCH_WHAT = "the error groups"
    TITLE_TEXT = "Errors"
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back", id="back"), *ERRORS_BINDINGS, *YANK_BINDINGS, *SEARCH_BINDINGS]

    def __init__(self, flt: Filter | None = None) -> None:
        super().__init__()
        self.filter = flt or Filter()
        self.groups: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield KeyedTable([("n", "tasks", 6), ("failed", "failed", 6), ("dead", "dead", 5), ("agent", "agent", 12),
                          ("error", "error (normalised)", 30), ("latest", "latest", 6)], id="groups")
        yield Static(id="error-strip")
        yield Footer()

    def search_table(self) -> KeyedTable:
        return self.table

    def search_status(self) -> None:
        if self.search:
            self.query_one(StatusLine).show("Errors", self.search_said())

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#groups", KeyedTable)

    def on_mount(self) -> None:
        self.query_one(StatusLine).show("Errors", "loading")
        self.table.focus()
        self.reload()

    def on_resize(self, event: Resize) -> None:
        self.table.fit(self.size.width - 2, {"error": (20, 1)})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.app.readonly:  # type: ignore[attr-defined]
            return False
        return True

    def fetch(self, req: Any) -> Any:
        return pages.error_groups(self.app.db, self.filter)  # type: ignore[attr-defined]

    def show(self, data: Any) -> None:
        now = self.app.now()  # type: ignore[attr-defined]
        self.groups = {f"{g['agent']}\x1f{g['error']}": g for g in data}
        rows = []
        for key, g in self.groups.items():
            rows.append((key, (
                Text(f"{g['n']:,}", style="bold"), Text(str(g["failed"] or ""), style="yellow"),
                Text(str(g["dead"] or ""), style="red"), lit(g["agent"], max_len=40),
                lit(g["error"] or "(no message)", "red", max_len=200), Text(since(g["latest"], now)),
            )))
        self.table.sync(rows)
        total = sum(g["n"] for g in data)
        where = f"  /{self.filter.text}" if self.filter.text else ""
        self.query_one(StatusLine).show("Errors", f"{len(data)} group(s), {total:,} failed or dead task(s){where}",
                                        flags=["READ-ONLY"] if self.app.readonly else [])  # type: ignore[attr-defined]
        self._strip()

    def current(self) -> dict[str, Any] | None:
        key = self.table.cursor_key
        return self.groups.get(key) if key else None

    def _strip(self) -> None:
        g = self.current()
        out = Text()
        if g is not None:
            out.append("example ", style="bold")
            out.append_text(lit(g["example"] or "", max_len=600))
            out.append(f"\nfirst task {g['first_id']}   r retry group   x cancel group   y copy", style="dim")
        self.query_one("#error-strip", Static).update(out)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._strip()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        g = self.current()
        if g is not None:
            from tui.screens.task_detail import TaskDetailScreen

            self.app.push_screen(TaskDetailScreen(int(g["first_id"])))

    def yank_text(self) -> tuple[str, str | None]:
        g = self.current()
        return "error", (g["example"] if g else None)

    def _group_action(self, verb: str, states: tuple[str, ...]) -> None:
        g = self.current()
        if g is None:
            return
        app: Any = self.app
        agent, error = g["agent"], g["error"]

        def counted(ids: list[int]) -> None:
            if not ids:
                self.notify(f"nothing to {verb} in this group", markup=False)
                return
            body = Text()
            body.append_text(lit(agent, "bold"))
            body.append(": ")
            body.append_text(lit(error, "red"))
            body.append(f"\n{len(ids):,} task(s) ({', '.join(states)})\n")
            if verb == "cancel":
                body.append("Dead tasks have finished and are left as they are.\n", style="dim")
            if agent == "apply" and verb == "retry":
                body.append("An apply retry opens the employer's site and may submit an application.\n", style="bold")

            def confirmed(ok: bool | None) -> None:
                if not ok:
                    return
                fn = queue.retry if verb == "retry" else queue.cancel

                def run() -> str:
                    done = fn(app.db, ids, who=app.who)
                    return f"{verb} {len(done)} task(s) of the group"

                app.act(f"{verb} group", run, after=self.reload)

            app.push_screen(ConfirmScreen(f"{verb.capitalize()} {len(ids):,} task(s) in this group?", body,
                                          f"{verb.capitalize()} {len(ids):,}"), confirmed)

        app.fetch_then(lambda: pages.error_group_ids(app.db, agent, error, states), counted)

    def action_retry_group(self) -> None:
        self._group_action("retry", ("failed", "dead"))

    def action_cancel_group(self) -> None:
        self._group_action("cancel", ("failed",))


__all__ = ["ErrorsScreen", "SCROLL_BINDINGS"]
