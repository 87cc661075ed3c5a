"""Employer sites: pauses (soft blocks), today's submissions against the daily cap, when the next
session is allowed; resume a paused site. What ``talvix apply-sites`` shows, in the console."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from core.browse import pages
from tui.keys import SITE_BINDINGS, WRITE_ACTIONS, YANK_BINDINGS
from tui.screens.base import Fetching, ReadonlyKeys
from tui.screens.dialogs import ConfirmScreen
from tui.screens.search import SEARCH_BINDINGS, TableSearch
from tui.text import age, lit
from tui.widgets.keyed_table import KeyedTable
from tui.widgets.status_line import StatusLine


class SitesScreen(TableSearch, ReadonlyKeys, Fetching, Screen[None]):
    SEARCH_WHAT = "the sites"
    TITLE_TEXT = "Sites"
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back", id="back"), *SITE_BINDINGS, *YANK_BINDINGS, *SEARCH_BINDINGS]

    def __init__(self) -> None:
        super().__init__()
        self.sites: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield KeyedTable([("site", "site", 24), ("state", "state", 7), ("today", "today/cap", 9),
                          ("next", "next in", 7), ("reason", "pause reason", 20)], id="sites")
        yield Footer()

    def search_table(self) -> KeyedTable:
        return self.table

    def search_status(self) -> None:
        if self.search:
            self.query_one(StatusLine).show("Sites", self.search_said())

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#sites", KeyedTable)

    def on_mount(self) -> None:
        self.query_one(StatusLine).show("Sites", "loading")
        self.table.focus()
        self.reload()

    def on_resize(self) -> None:
        self.table.fit(self.size.width - 2, {"site": (14, 2), "reason": (10, 3)})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.app.readonly:  # type: ignore[attr-defined]
            return False
        return True

    def fetch(self, req: Any) -> Any:
        app: Any = self.app
        return pages.site_rows(app.db, app.settings, now=app.clock_now())

    def show(self, data: Any) -> None:
        self.sites = {r["site"]: r for r in data}
        rows = []
        for r in data:
            cap = r["cap"]
            rows.append((r["site"], (
                lit(r["site"], max_len=120),
                Text("PAUSED", style="bold yellow") if r["paused"] else Text("open", style="dim"),
                Text(f"{r['today']}/{cap or '-'}", style="bold red" if r["over_budget"] else ""),
                Text("now" if not r["next_in_s"] else age(r["next_in_s"])),
                lit(r["pause_reason"] or "", max_len=200),
            )))
        self.table.sync(rows)
        paused = sum(1 for r in data if r["paused"])
        self.query_one(StatusLine).show("Sites", f"{len(data)} site(s), {paused} paused   u resume   esc back",
                                        flags=["READ-ONLY"] if self.app.readonly else [])  # type: ignore[attr-defined]

    def yank_text(self) -> tuple[str, str | None]:
        return "site", self.table.cursor_key

    def action_resume_site(self) -> None:
        site = self.table.cursor_key
        if site is None:
            return
        r = self.sites.get(site) or {}
        if not r.get("paused"):
            self.notify(f"{site} is not paused", markup=False)
            return
        app: Any = self.app
        from core.apply_engine import sites

        def confirmed(ok: bool | None) -> None:
            if ok:
                app.act("resume site", lambda: (sites.resume(app.db, site, who=app.who), f"resumed {site}")[1],
                        after=self.reload)

        body = Text()
        body.append("paused because: ", style="bold")
        body.append_text(lit(r.get("pause_reason") or "by an operator"))
        body.append("\nCheck the site in a browser first: a captcha or a block may still be there.")
        app.push_screen(ConfirmScreen(f"Resume {site}?", body, "Resume site"), confirmed)
