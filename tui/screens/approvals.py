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
from tui.keys import APPROVAL_BINDINGS, OUTCOME_RECORD_BINDINGS
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

        def checked(found: tuple[dict[str, Any] | None, list[str]]) -> None:
            detail, site_warnings = found
            body = Text()
            if detail:
                head = who_what(detail)
                if head.plain:
                    body.append_text(head)
                    body.append("\n")
            body.append(f"Task {ident} will be queued again with your approval.\n")
            body.append_text(edit_lines(detail, edits or {}))
            warnings = [*required_blanks(detail, edits or {}), *site_warnings]
            for w in warnings:
                body.append("warning: ", style="bold white on red")
                body.append_text(lit(w))
                body.append("\n")

            def confirmed(ok: bool | None) -> None:
                if ok:
                    app.act("approve", lambda: (queue.approve(app.db, ident, who=app.who, edits=edits or None,
                                                              cipher=app.cipher),
                                                f"approved task {ident}")[1], after=after)

            title = f"Approve task {ident}?" + (f" ({len(warnings)} warning(s))" if warnings else "")
            app.push_screen(ConfirmScreen(title, body, "Approve anyway" if warnings else "Approve"), confirmed)

        app.fetch_then(lambda: approval_checks(app, key), checked)

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
                def mark() -> str:
                    pages.resolve_application(app.db, ident, outcome, who=app.who)
                    return f"application {ident} marked {outcome}"

                app.act("resolve", mark, after=after)

        app.push_screen(ConfirmScreen(f"Mark application {ident} {outcome}?",
                                      "Check the employer's site first: Talvix will never submit it again.",
                                      f"Mark {outcome}"), confirmed)

    return {"approve": approve, "reject": reject, "resolve": resolve}  # type: ignore[dict-item]


def field_labels(detail: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Answer-sheet fields by the name an edit is keyed on (the form's field name)."""
    out: dict[str, dict[str, Any]] = {}
    for f in (detail or {}).get("fields") or []:
        out[str(f.get("name") or f.get("label"))] = f
    return out


def edit_lines(detail: dict[str, Any] | None, edits: dict[str, Any]) -> Text:
    """``Question text: old -> new`` for each edit (never the form's internal field name alone)."""
    fields = field_labels(detail)
    out = Text()
    for name, value in edits.items():
        f = fields.get(name) or {}
        out.append("edited ", style="bold")
        out.append_text(lit(f.get("label") or name))
        out.append(": ")
        old = f.get("value")
        out.append_text(lit("(blank)" if is_blank(old) else old, "dim"))
        out.append(" -> ")
        out.append_text(lit("(blank)" if is_blank(value) else value, "bold yellow"))
        out.append("\n")
    return out


def required_blanks(detail: dict[str, Any] | None, edits: dict[str, Any]) -> list[str]:
    out = []
    for name, f in field_labels(detail).items():
        value = edits.get(name, f.get("value"))
        if f.get("required") and is_blank(value):
            out.append(f"required answer is blank: {f.get('label') or name}")
    return out


def site_warnings(app: Any, site: str | None) -> list[str]:
    """Why an approved application may wait anyway: its site is paused, or today's budget is spent."""
    if not site:
        return []
    out = []
    for r in pages.site_rows(app.db, app.settings, site):
        if r["paused"]:
            out.append(f"site {site} is paused: {r['pause_reason'] or 'by an operator'}")
        if r["over_budget"]:
            out.append(f"site {site} is over budget: {r['today']} of {r['cap']} submissions today")
    return out


def approval_checks(app: Any, key: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The detail behind an approval and what should make the operator think twice (in a thread)."""
    detail = pages.approval_detail(app.db, key, cipher=app.cipher)
    site = ((detail or {}).get("application") or {}).get("site")
    return detail, site_warnings(app, site)


def document_lines(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, file) for every document behind an approval: what the apply task uploaded (by name)
    and what the pipeline made for the application (tailored resume, cover letter: by path).
    Entries with no file are left out, so no ``None`` reaches the screen."""
    out: dict[str, tuple[str, str]] = {}  # by file name: the pipeline's path wins over the uploaded name
    app_docs = (detail.get("application") or {}).get("documents") or {}
    for source in (detail.get("documents") or {}, app_docs if isinstance(app_docs, dict) else {}):
        for kind, d in source.items():
            shown = (d.get("path") or d.get("name")) if isinstance(d, dict) else d
            if not shown or not isinstance(shown, str):
                continue
            name = shown.rsplit("/", 1)[-1]
            earlier = out.get(name)
            out[name] = (earlier[0] if earlier else str(kind), shown)
    return list(out.values())


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def who_what(detail: dict[str, Any], row: dict[str, Any] | None = None) -> Text:
    """Candidate, job and company in full (never cut: an operator rejects for what they read)."""
    app = detail.get("application") or row or {}
    out = Text()
    for label, key in (("candidate", "candidate"), ("job", "title"), ("company", "company"), ("site", "site")):
        value = app.get(key) or (row or {}).get(key)
        if value:
            out.append(f"{label}: ", style="bold")
            out.append_text(lit(value))
            out.append("  ")
    out.rstrip()
    return out


def sheet_text(detail: dict[str, Any] | None, row: dict[str, Any] | None = None) -> Text:
    out = Text()
    if not detail:
        return out
    head = who_what(detail, row)
    if head.plain:
        out.append_text(head)
        out.append("\n")
    if detail.get("reason"):
        out.append("why: ", style="bold")
        out.append_text(lit(detail["reason"], "magenta"))
        out.append("\n")
    docs = document_lines(detail)
    out.append("documents: ", style="bold")
    if docs:
        for i, (kind, shown) in enumerate(docs):
            if i:
                out.append(", ")
            out.append(f"{kind} ")
            out.append_text(lit(shown))
    else:
        out.append("none", style="dim")
    out.append("\n")
    shots = detail.get("screenshots") or []
    if shots:
        out.append(f"screenshots ({len(shots)}): ", style="bold")
        out.append_text(lit(", ".join(shots), max_len=300))
        out.append("\n")
    fields = detail.get("fields") or []
    if fields:
        blanks = sum(1 for f in fields if f.get("required") and is_blank(f.get("value")))
        out.append(f"answer sheet ({len(fields)} fields; enter to review and edit)", style="bold")
        if blanks:
            out.append(f"  {blanks} required blank", style="bold white on red")
        out.append("\n")
        for f in fields:
            conf = f.get("confidence")
            low = conf is not None and conf < 0.5
            blank = is_blank(f.get("value"))
            req_blank = blank and f.get("required")
            out.append("  ! " if low or req_blank else "    ", style="bold red")
            out.append_text(lit(f.get("label") or f.get("name"), max_len=60))
            out.append(": ")
            if blank:
                out.append("(required, blank)" if req_blank else "(blank)",
                           "bold white on red" if req_blank else "dim")
            else:
                out.append_text(lit(f.get("value"), "red" if low else "", max_len=80))
            out.append("\n")
    if detail.get("unanswered"):
        out.append("unanswered: ", style="bold red")
        out.append_text(lit("; ".join(map(str, detail["unanswered"])), max_len=300))
        out.append("\n")
    return out


class ApprovalsView(BaseView):
    VIEW = "approvals"
    TITLE_TEXT = "Approvals"
    BINDINGS = [*APPROVAL_BINDINGS, *OUTCOME_RECORD_BINDINGS]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, dict[str, Any]] = {}
        self._detail_key: str | None = None

    def body(self) -> ComposeResult:
        yield KeyedTable([("what", "what", 8), ("status", "status", 17), ("candidate", "candidate", 14),
                          ("job", "job", 20), ("company", "company", 14), ("age", "age", 5), ("reason", "reason", 20)],
                         id="approvals")
        with VerticalScroll(id="approval-summary"):
            yield Static(id="approval-sheet")

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#approvals", KeyedTable)

    def focus_main(self) -> None:
        self.table.focus()

    def on_mount(self) -> None:
        self.table.focus()
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        self.table.fit(self.size.width - 2, {"candidate": (8, 2), "job": (10, 3), "company": (8, 2),
                                             "reason": (8, 3)})

    def fetch(self, req: Any) -> Any:
        return pages.approvals(self.tapp.db)

    def show(self, data: Any) -> None:
        now = self.tapp.now()
        self.items = {r["key"]: r for r in data}
        rows = []
        for r in data:
            what = f"task {r['task_id']}" if r["kind"] == "task" else f"app {r['application_id']}"
            rows.append((r["key"], (
                Text(what), status(r["status"]), lit(r["candidate"] or "", max_len=80),
                lit(r["title"] or "", max_len=120), lit(r["company"] or "", max_len=80), Text(since(r["since"], now)),
                lit(r["reason"] or "", max_len=200),
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
            self.query_one("#approval-sheet", Static).update(sheet_text(detail, self.items.get(key)))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        from tui.screens.approval_detail import ApprovalDetailScreen

        if event.row_key.value:
            self.app.push_screen(ApprovalDetailScreen(event.row_key.value))

    def yank_text(self) -> tuple[str, str | None]:
        key = self.table.cursor_key
        return "approval", key

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

    def action_record_outcome(self) -> None:
        """``O``: record the outcome of this row's application (as ``talvix outcome``)."""
        from tui.screens.outcome_dialog import record_outcome_dialog

        r = self.items.get(self.table.cursor_key or "")
        if r is None:
            return
        about = lit(f"{r['candidate'] or ''} · {r['title'] or ''} at {r['company'] or ''}", max_len=200)
        record_outcome_dialog(self.tapp, r["application_id"], about, after=self.reload)
