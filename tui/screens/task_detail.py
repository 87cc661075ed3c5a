"""One task: its state, attempts, error, payload, result, what it links to, and its events."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from core import queue
from core.browse import pages
from tui.keys import SCROLL_BINDINGS, WRITE_ACTIONS, YANK_BINDINGS, b
from tui.screens.base import Fetching, ReadonlyKeys
from tui.screens.dialogs import ConfirmScreen
from tui.screens.search import SEARCH_BINDINGS, TextSearch
from tui.text import kv, lit, pretty_json, since, stamp, status
from tui.widgets.status_line import StatusLine


class TaskDetailScreen(TextSearch, ReadonlyKeys, Fetching, Screen[None]):
    SEARCH_WHAT = "this task"

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        *YANK_BINDINGS, *SCROLL_BINDINGS, *SEARCH_BINDINGS,
        b("r", "retry", "Retry", id="retry"),
        b("x", "cancel_task", "Cancel", id="cancel"),
    ]

    def __init__(self, task_id: int) -> None:
        super().__init__()
        self.task_id = task_id
        self.detail: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine()
        with VerticalScroll(id="detail"):
            yield Static(id="detail-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(StatusLine).show(f"Task {self.task_id}", "loading")
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS | {"cancel_task"} and self.app.readonly:  # type: ignore[attr-defined]
            return False
        return True

    def yank_text(self) -> tuple[str, str | None]:
        t = (self.detail or {}).get("task") or {}
        if t.get("last_error"):
            return "error", str(t["last_error"])
        return "task id", str(self.task_id)

    def action_scroll_down(self) -> None:
        self.query_one("#detail").scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one("#detail").scroll_up(animate=False)

    def action_scroll_home(self) -> None:
        self.query_one("#detail").scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.query_one("#detail").scroll_end(animate=False)

    def fetch(self, req: Any) -> Any:
        return pages.task_detail(self.app.db, self.task_id)  # type: ignore[attr-defined]

    def show(self, data: Any) -> None:
        self.detail = data
        body = self.query_one("#detail-body", Static)
        if data is None:
            self.query_one(StatusLine).show(f"Task {self.task_id}", "no such task")
            body.update(Text("This task no longer exists."))
            return
        t = data["task"]
        now = self.app.now()  # type: ignore[attr-defined]
        self.query_one(StatusLine).show(f"Task {t['id']}", f"{t['agent']} · {t['status']}")
        out = kv([
            ("status", status(t["status"])),
            ("agent", t["agent"]),
            ("attempts", f"{t['attempts']} of {t['max_attempts']}"),
            ("priority", str(t["priority"])),
            ("run at", stamp(t["run_at"])),
            ("created", f"{stamp(t['created_at'])} ({since(t['created_at'], now)} ago)"),
            ("updated", f"{stamp(t['updated_at'])} ({since(t['updated_at'], now)} ago)"),
            ("runner", t["locked_by"] or ""),
            ("site", t["site"] or ""),
            ("key", t["idempotency_key"] or ""),
            ("parent", str(t["parent_id"] or "")),
        ])
        if t["last_error"]:
            out.append("\nerror\n", style="bold red")
            out.append_text(lit(t["last_error"], "red"))
            out.append("\n")
        links = []
        if data.get("candidate"):
            c = data["candidate"]
            links.append(("candidate", f"#{c['id']} {c['full_name']} ({c['location'] or ''})"))
        if data.get("job"):
            j = data["job"]
            links.append(("job", f"#{j['id']} {j['title']} at {j['company']} [{j['status']}]"))
        if data.get("application"):
            a = data["application"]
            links.append(("application", f"#{a['id']} {a['status']}" + (f": {a['reason']}" if a["reason"] else "")))
        if links:
            out.append("\n")
            out.append_text(kv(links))
        out.append("\npayload\n", style="bold")
        out.append_text(pretty_json(t["payload"]))
        if t["result"] is not None:
            out.append("\n\nresult\n", style="bold")
            out.append_text(pretty_json(t["result"]))
        out.append(f"\n\nevents (newest first, {len(data['events'])})\n", style="bold")
        for e in data["events"]:
            out.append(f"{stamp(e['ts'])} ", style="dim")
            out.append(f"{e['level']:<7} ", style=status(e["level"]).style)
            out.append_text(lit(e["message"]))
            out.append("\n")
        self.show_text(out)

    def action_retry(self) -> None:
        from tui.screens.queue import retry_with_care

        retry_with_care(self.app, [self.task_id], after=self.reload)

    # -- / search inside the detail ----------------------------------------------------------------
    def search_body(self) -> Static:
        return self.query_one("#detail-body", Static)

    def search_scroller(self) -> Any:
        return self.query_one("#detail")

    def search_status(self) -> None:
        if self.search:
            self.query_one(StatusLine).show(f"Task {self.task_id}", self.search_said())

    def action_cancel_task(self) -> None:
        app = self.app

        def confirmed(ok: bool | None) -> None:
            if ok:
                app.act("cancel", lambda: f"cancelled {len(queue.cancel(app.db, [self.task_id], who=app.who))} task(s)",  # type: ignore[attr-defined]
                        after=self.reload)

        self.app.push_screen(ConfirmScreen(f"Cancel task {self.task_id}?", "A running task loses its lease.",
                                           "Cancel task"), confirmed)
