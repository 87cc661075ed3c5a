"""Runners on every host (from the runners table), and the runners inside this console.

``n`` starts an in-process runner (mode ``console``) for every known agent; ``p`` pauses or resumes
claiming in one of ours; ``x`` stops one of ours (running tasks finish within the grace period, the rest
go back to the queue). Remote runners are shown, not controlled: pause their agents globally from the
overview instead.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from core.browse import pages
from tui.keys import RUNNER_BINDINGS
from tui.screens.base import BaseView
from tui.screens.dialogs import ConfirmScreen
from tui.text import age, lit, status
from tui.widgets.keyed_table import KeyedTable


class RunnersView(BaseView):
    VIEW = "runners"
    TITLE_TEXT = "Runners"
    BINDINGS = [*RUNNER_BINDINGS]
    #: A runner to put the cursor on at the next refresh (enter on a runner in the overview).
    focus_runner: str | None = None

    def body(self):
        yield KeyedTable([("id", "runner", 26), ("mode", "mode", 8), ("status", "status", 8),
                          ("beat", "beat", 6), ("conc", "conc", 4), ("here", "here", 12),
                          ("agents", "agents", None)], id="runners")

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#runners", KeyedTable)

    def focus_main(self) -> None:
        self.table.focus()

    def on_mount(self) -> None:
        self.table.focus()

    def fetch(self, req: Any) -> Any:
        return pages.runner_rows(self.tapp.db, self.tapp.clock_now())

    def show(self, data: Any) -> None:
        local = self.tapp.local_runners
        rows = []
        for r in data:
            mine = local.get(r["id"])
            here = ""
            if mine is not None:
                here = "paused" if mine.paused else f"{mine.active} running"
            rows.append((r["id"], (
                lit(r["id"], max_len=26), lit(r["mode"]), status(r["status"]),
                Text(age(r["heartbeat_age_s"]) if r["status"] != "gone" else "-"),
                Text(str(r["concurrency"])), Text(here, style="bold cyan" if mine else ""),
                lit(",".join(r["agents"] or []), max_len=80),
            )))
        self.table.sync(rows)
        if self.focus_runner and self.table.move_to_key(self.focus_runner):
            self.focus_runner = None
        live = sum(1 for r in data if r["status"] == "running")
        self.set_status(f"{live} running on {len({r['host'] for r in data if r['status'] == 'running'})} host(s);"
                        f" {len(local)} in this console")

    def _mine(self) -> Any:
        key = self.table.cursor_key
        runner = self.tapp.local_runners.get(key) if key else None
        if runner is None:
            self.notify("that runner is not in this console (pause its agents from the overview)", markup=False)
        return runner

    def action_start_runner(self) -> None:
        self.tapp.start_runner()

    def action_pause_runner(self) -> None:
        runner = self._mine()
        if runner is not None:
            self.tapp.toggle_runner_pause(runner.id)

    def action_stop_runner(self) -> None:
        runner = self._mine()
        if runner is None:
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.tapp.stop_runner(runner.id)

        self.app.push_screen(ConfirmScreen(f"Stop runner {runner.id}?",
                                           "Running tasks finish within the grace period; the rest return to the queue.",
                                           "Stop runner"), confirmed)
