"""Notifications: the outbox (what was sent in candidates' names, by which channel and template, the
provider's message id or error) and the candidates' replies, newest first.

Errors come from providers and replies from candidates: every cell, and the selected row in full in the
strip below, is literal text (``core.safetext``): no markup is read and no escape sequence reaches the
terminal. A notification whose outcome is ``unknown`` (a crash after the send marker) is settled by a
person: ``s`` it was delivered, ``f`` it was not (``core.notify.outbox.resolve_unknown``, confirmed,
audited). ``r`` sends a ``failed`` or ``skipped`` row again, once, after a confirmation
(``core.notify.outbox.retry``: never a row that may have gone out, nor one whose message went by another
channel instead).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import DataTable, Static

from core.notify import inbound, outbox
from tui.keys import NOTIFY_BINDINGS
from tui.screens.base import BaseView
from tui.screens.dialogs import ConfirmScreen
from tui.text import lit, since, status
from tui.widgets.keyed_table import KeyedTable

LIMIT = 200
NOTE_STYLE = {"sent": "green", "failed": "bold red", "unknown": "bold magenta", "sending": "bold yellow",
              "pending": "cyan", "suppressed": "dim"}


class NotificationsView(BaseView):
    VIEW = "notifications"
    TITLE_TEXT = "Notifications"
    BINDINGS = [*NOTIFY_BINDINGS]

    def __init__(self) -> None:
        super().__init__()
        self.outbox: dict[str, dict[str, Any]] = {}
        self.replies: dict[str, dict[str, Any]] = {}

    def body(self) -> ComposeResult:
        # Every column on screen at 80 columns; the provider's name and the attempts are in the strip.
        yield KeyedTable([("id", "id", 6), ("status", "status", 10), ("channel", "channel", 8),
                          ("template", "template", 18), ("for", "for", 8), ("ref", "provider id", 14),
                          ("age", "age", 5), ("error", "error", 20)], id="outbox")
        yield KeyedTable([("id", "reply", 6), ("age", "age", 5), ("cand", "cand", 5), ("kind", "kind", 12),
                          ("outcome", "outcome", 16), ("notif", "to", 6), ("text", "text", 20)], id="replies")
        yield Static(id="notify-strip")

    @property
    def out_table(self) -> KeyedTable:
        return self.query_one("#outbox", KeyedTable)

    @property
    def reply_table(self) -> KeyedTable:
        return self.query_one("#replies", KeyedTable)

    def on_mount(self) -> None:
        self.out_table.focus()
        self._fit()

    def on_resize(self, event: Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        width = self.size.width - 2
        self.out_table.fit(width, {"template": (10, 2), "ref": (6, 1), "error": (8, 3)})
        self.reply_table.fit(width, {"outcome": (8, 1), "text": (10, 4)})

    def focus_main(self) -> None:
        self.out_table.focus()

    def fetch(self, req: Any) -> Any:
        db = self.tapp.db
        return outbox.list_outbox(db, limit=LIMIT), inbound.replies(db, self.tapp.cipher, limit=LIMIT)

    def show(self, data: Any) -> None:
        rows, replies = data
        now = self.tapp.now()
        self.outbox = {str(r["id"]): r for r in rows}
        self.replies = {str(r["id"]): r for r in replies}
        self.out_table.sync([(str(r["id"]), (
            Text(str(r["id"])), Text(r["status"], style=NOTE_STYLE.get(r["status"], "")), lit(r["channel"]),
            lit(r["template"], max_len=60), Text(_for(r)), lit(r["provider_ref"] or "", max_len=80),
            Text(since(r["updated_at"] or r["created_at"], now)),
            lit(r["error"] or "", "red", max_len=300),
        )) for r in rows])
        self.reply_table.sync([(str(r["id"]), (
            Text(str(r["id"])), Text(since(r["received_at"], now)), Text(str(r["candidate_id"] or "?")),
            status(r["kind"]), lit(r["outcome"] or "", max_len=60), Text(str(r["notification_id"] or "")),
            lit(r["text"] if r["text"] is not None else "", max_len=300),
        )) for r in replies])
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        head = Text(f"{len(rows)} newest")
        for state in ("failed", "unknown", "sending", "pending", "sent", "suppressed"):
            if counts.get(state):
                head.append(" · ")
                head.append(f"{state} {counts[state]}",
                            style=("bold white on red" if state in ("failed", "unknown") else ""))
        head.append(f" · {len(replies)} repl{'y' if len(replies) == 1 else 'ies'}")
        self.set_status(head)
        self._strip()

    # -- the selected row in full ------------------------------------------------------------
    def _strip(self) -> None:
        out = Text()
        focused = self.focused
        if focused is self.reply_table:
            r = self.replies.get(self.reply_table.cursor_key or "")
            if r is not None:
                out.append(f"reply {r['id']} from candidate {r['candidate_id'] or '?'} ({r['provider']}) ",
                           style="bold")
                out.append_text(status(r["kind"]))
                if r["outcome"]:
                    out.append(": ")
                    out.append_text(lit(r["outcome"]))
                out.append("\n")
                out.append_text(lit(r["text"] if r["text"] is not None else "(no text)", keep_newlines=True,
                                    max_len=2000))
        else:
            n = self.outbox.get(self.out_table.cursor_key or "")
            if n is not None:
                out.append(f"notification {n['id']} ", style="bold")
                out.append(n["status"], style=NOTE_STYLE.get(n["status"], ""))
                out.append(" · ")
                out.append_text(lit(f"{n['channel']} · {n['template']} · {n['language'] or ''} · "
                                    f"key {n['idempotency_key']}"))
                out.append("\nprovider ", style="bold")
                out.append_text(lit(f"{n['provider'] or '-'}  id {n['provider_ref'] or '-'}  attempts "
                                    f"{n['attempts'] or 0}  candidate {n['candidate_id'] or '-'}  application "
                                    f"{n['application_id'] or '-'}"))
                if n["error"]:
                    out.append("\nerror ", style="bold red")
                    out.append_text(lit(n["error"], "red", keep_newlines=True, max_len=2000))
                if n["status"] == "unknown":
                    out.append("\ns: it was delivered   f: it was not", style="bold magenta")
        self.query_one("#notify-strip", Static).update(out)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._strip()

    def on_descendant_focus(self) -> None:
        self._strip()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._strip()

    def yank_text(self) -> tuple[str, str | None]:
        if self.focused is self.reply_table:
            r = self.replies.get(self.reply_table.cursor_key or "")
            return "reply text", (r or {}).get("text")
        n = self.outbox.get(self.out_table.cursor_key or "")
        if n is None:
            return "notification", None
        return ("error", n["error"]) if n["error"] else ("provider id", n["provider_ref"])

    # -- a person settles an unknown outcome -------------------------------------------------
    def action_resolve_notification(self, sent: bool) -> None:
        n = self.outbox.get(self.out_table.cursor_key or "")
        if n is None:
            return
        if n["status"] != "unknown":
            self.notify(f"notification {n['id']} is {n['status']}: only an unknown one is settled by a person",
                        markup=False)
            return
        app, ident = self.tapp, int(n["id"])
        body = lit(f"{n['channel']} {n['template']} to candidate {n['candidate_id']}: the sender crashed after "
                   "calling the provider, so whether it arrived is not known. Check with the candidate or the "
                   "provider first.")

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return

            def run() -> str:
                outbox.resolve_unknown(app.db, ident, sent=sent, who=app.who)
                return f"notification {ident} marked {'sent' if sent else 'failed (not delivered)'}"

            app.act("resolve notification", run, after=self.reload)

        verdict = "it was delivered" if sent else "it was not delivered"
        app.push_screen(ConfirmScreen(f"Notification {ident}: {verdict}?", body,
                                      "Delivered" if sent else "Not delivered"), confirmed)

    # -- an operator sends a failed or skipped one again -------------------------------------
    def action_retry_notification(self) -> None:
        n = self.outbox.get(self.out_table.cursor_key or "")
        if n is None:
            return
        if n["status"] not in outbox.RETRYABLE:
            self.notify(f"notification {n['id']} is {n['status']}: only a failed or skipped one is sent again",
                        markup=False)
            return
        app, ident = self.tapp, int(n["id"])
        body = lit(f"{n['channel']} {n['template']} to candidate {n['candidate_id']}, {n['status']}: "
                   f"{n['error'] or 'no error recorded'}. It is sent once more with the settings as they are now.")

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return

            def run() -> str:
                task_id = outbox.retry(app.db, ident, who=app.who)
                return f"notification {ident} queued to send again (task {task_id})"

            app.act("send notification again", run, after=self.reload)

        app.push_screen(ConfirmScreen(f"Send notification {ident} again?", body, "Send again"), confirmed)


def _for(n: dict[str, Any]) -> str:
    """Whom a notification is about: ``c3 a12`` (candidate 3, application 12)."""
    return " ".join(p for p in (f"c{n['candidate_id']}" if n["candidate_id"] else "",
                                f"a{n['application_id']}" if n["application_id"] else "") if p)
