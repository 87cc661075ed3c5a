"""Approvals: what waits for a person (awaiting_approval, needs_human, unknown_outcome).

Approve (the task is queued again with the approval), reject with a reason (cancelled, application
withdrawn), or, for an application whose submission is unknown, record what the employer's site shows.
``enter`` opens the answer sheet to edit answers before approving.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from core import queue
from core.browse import pages
from tui.keys import APPROVAL_BINDINGS
from tui.screens.base import BaseView
from tui.screens.dialogs import ConfirmScreen, PromptScreen
from tui.text import lit, since, status
from tui.widgets.keyed_table import KeyedTable


def approval_actions(app: Any, key: str, edits: dict[str, Any] | None = None,
                     after: Callable[[], None] | None = None) -> dict[str, Callable[[], None]]:
    """approve / reject / resolve for one approvals row, each confirmed and run in a worker."""
    kind, _, raw = key.partition(":")
    ident = int(raw)

    def approve() -> None:
        if kind != "task":
            app.notify("an unknown outcome is resolved with s (was submitted) or f (not submitted)", markup=False)
            return
        body = Text(f"Task {ident} will be queued again with your approval.\n")
        for name, value in (edits or {}).items():
            body.append("edited ", style="bold")
            body.append_text(lit(name))
            body.append(" = ")
            body.append_text(lit(value))
            body.append("\n")

        def confirmed(ok: bool | None) -> None:
            if ok:
                app.act("approve", lambda: (queue.approve(app.db, ident, who=app.who, edits=edits or None,
                                                          cipher=app.cipher),
                                            f"approved task {ident}")[1], after=after)

        app.push_screen(ConfirmScreen(f"Approve task {ident}?", body, "Approve"), confirmed)

    def reject() -> None:
        if kind != "task":
            app.notify("an unknown outcome is resolved with s (was submitted) or f (not submitted)", markup=False)
            return

        def reason(text: str | None) -> None:
            if text and text.strip():
                app.act("reject", lambda: (queue.reject(app.db, ident, text.strip(), who=app.who),
                                           f"rejected task {ident}")[1], after=after)

        app.push_screen(PromptScreen(f"Reject task {ident}: reason", placeholder="why (recorded, shown to operators)",
                                     required=True, note="The task is cancelled and its application withdrawn."),
                        reason)

    def resolve(outcome: str) -> None:
        if kind != "app":
            app.notify("only an application in unknown_outcome is resolved this way", markup=False)
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                app.act("resolve", lambda: (pages.resolve_application(app.db, ident, outcome, who=app.who),
                                            f"application {ident} marked {outcome}")[1], after=after)

        app.push_screen(ConfirmScreen(f"Mark application {ident} {outcome}?",
                                      "Check the employer's site first: Talvix will never submit it again.",
                                      f"Mark {outcome}"), confirmed)

    return {"approve": approve, "reject": reject, "resolve": resolve}  # type: ignore[dict-item]


def sheet_text(detail: dict[str, Any] | None) -> Text:
    out = Text()
    if not detail:
        return out
    if detail.get("reason"):
        out.append("why: ", style="bold")
        out.append_text(lit(detail["reason"], "magenta"))
        out.append("\n")
    fields = detail.get("fields") or []
    if fields:
        out.append(f"answer sheet ({len(fields)} fields; enter to review and edit)\n", style="bold")
        for f in fields:
            conf = f.get("confidence")
            low = conf is not None and conf < 0.5
            out.append("  ! " if low else "    ", style="bold red")
            out.append_text(lit(f.get("label") or f.get("name"), max_len=40))
            out.append(": ")
            out.append_text(lit(f.get("value") if f.get("value") not in (None, "") else "(blank)",
                                "red" if low else "", max_len=60))
            out.append("\n")
    if detail.get("unanswered"):
        out.append("unanswered: ", style="bold red")
        out.append_text(lit("; ".join(map(str, detail["unanswered"])), max_len=200))
        out.append("\n")
    docs = detail.get("documents") or {}
    if docs:
        out.append("documents: ", style="bold")
        out.append_text(lit(", ".join(f"{k} {v.get('path') if isinstance(v, dict) else v}" for k, v in docs.items()),
                            max_len=300))
        out.append("\n")
    shots = detail.get("screenshots") or []
    if shots:
        out.append(f"screenshots ({len(shots)}): ", style="bold")
        out.append_text(lit(", ".join(shots), max_len=300))
        out.append("\n")
    return out


class ApprovalsView(BaseView):
    VIEW = "approvals"
    TITLE_TEXT = "Approvals"
    BINDINGS = APPROVAL_BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, dict[str, Any]] = {}
        self._detail_key: str | None = None

    def body(self) -> ComposeResult:
        yield KeyedTable([("what", "what", 10), ("status", "status", 17), ("candidate", "candidate", 14),
                          ("job", "job", 28), ("age", "age", 6), ("reason", "reason", None)], id="approvals")
        with VerticalScroll(id="approval-summary"):
            yield Static(id="approval-sheet")

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#approvals", KeyedTable)

    def focus_main(self) -> None:
        self.table.focus()

    def on_mount(self) -> None:
        self.table.focus()

    def fetch(self, req: Any) -> Any:
        return pages.approvals(self.tapp.db)

    def show(self, data: Any) -> None:
        now = self.tapp.now()
        self.items = {r["key"]: r for r in data}
        rows = []
        for r in data:
            what = f"task {r['task_id']}" if r["kind"] == "task" else f"app {r['application_id']}"
            rows.append((r["key"], (
                Text(what), status(r["status"]), lit(r["candidate"] or "", max_len=14),
                lit(f"{r['title'] or ''} · {r['company'] or ''}", max_len=28), Text(since(r["since"], now)),
                lit(r["reason"] or "", max_len=90),
            )))
        self.table.sync(rows)
        waiting = sum(1 for r in data if r["status"] == "awaiting_approval")
        self.set_status(f"{len(data)} waiting for a person ({waiting} approvals)")
        self._load_detail(force=True)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._load_detail()

    def _load_detail(self, force: bool = False) -> None:
        key = self.table.cursor_key
        if key is None:
            self.query_one("#approval-sheet", Static).update(Text("Nothing waits for a person.", style="dim"))
            self._detail_key = None
            return
        if key != self._detail_key or force:
            self._detail_key = key
            self._detail_worker(key)

    @work(thread=True, exclusive=True, group="approval-detail", exit_on_error=False)
    def _detail_worker(self, key: str) -> None:
        try:
            detail = pages.approval_detail(self.tapp.db, key, cipher=self.tapp.cipher)
        except Exception:
            detail = None
        try:
            self.app.call_from_thread(self._show_detail, key, detail)
        except RuntimeError:
            pass

    def _show_detail(self, key: str, detail: dict[str, Any] | None) -> None:
        if key == self._detail_key:
            self.query_one("#approval-sheet", Static).update(sheet_text(detail))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        from tui.screens.approval_detail import ApprovalDetailScreen

        if event.row_key.value:
            self.app.push_screen(ApprovalDetailScreen(event.row_key.value))

    def _actions(self) -> dict[str, Callable[..., None]] | None:
        key = self.table.cursor_key
        return approval_actions(self.app, key) if key else None

    def action_approve(self) -> None:
        if acts := self._actions():
            acts["approve"]()

    def action_reject(self) -> None:
        if acts := self._actions():
            acts["reject"]()

    def action_resolve(self, outcome: str) -> None:
        if acts := self._actions():
            acts["resolve"](outcome)
