"""Outcomes: what candidates' mailboxes suggest, waiting for an operator, and the calibration versions.

The upper table lists linked and classified messages (``pending``). ``c`` confirms one: the outcome it
implies is recorded and counts from then on. ``d`` dismisses one. The lower table lists every
calibration with its held-back AUC and Brier score against the scoring it was judged against. ``b``
rolls the active calibration back (to the previous shipped one, or to the raw fit). Every action asks
first, and Cancel is the default. Subjects and senders come from outside, so they are shown literally.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from core.outcomes import calibration, records
from tui.keys import OUTCOME_BINDINGS
from tui.screens.base import BaseView
from tui.screens.dialogs import ConfirmScreen
from tui.text import lit
from tui.widgets.keyed_table import KeyedTable


def _num(value: Any) -> str:
    return "-" if value is None else f"{float(value):.3f}"


class OutcomesView(BaseView):
    VIEW = "outcomes"
    TITLE_TEXT = "Outcomes"
    BINDINGS = [*OUTCOME_BINDINGS]

    def body(self):
        yield KeyedTable([("id", "msg", 6), ("class", "class", 12), ("app", "application", 34),
                          ("link", "link", 5), ("from", "from", 30), ("subject", "subject", None)], id="mail")
        yield KeyedTable([("v", "version", 7), ("status", "status", 11), ("active", "active", 6),
                          ("n", "outcomes", 8), ("auc", "AUC", 13), ("brier", "Brier", 13),
                          ("p", "p", 8), ("reason", "reason", None)], id="calibrations")

    @property
    def mail(self) -> KeyedTable:
        return self.query_one("#mail", KeyedTable)

    @property
    def versions(self) -> KeyedTable:
        return self.query_one("#calibrations", KeyedTable)

    def focus_main(self) -> None:
        self.mail.focus()

    def on_mount(self) -> None:
        self.mail.focus()

    def fetch(self, req: Any) -> Any:
        from core.crypto import load_cipher

        db = self.tapp.db
        return records.pending_messages(db, load_cipher(self.tapp.settings)), calibration.versions(db)

    def show(self, data: Any) -> None:
        pending, versions = data
        self._pending = {str(m["id"]): m for m in pending}
        self.mail.sync([(str(m["id"]), (
            Text(str(m["id"])), lit(m["classification"]),
            lit(f"{m['application_id']} {m.get('company') or ''}: {m.get('title') or ''}", max_len=34),
            Text(_num(m["link_confidence"])[:4]), lit(m["sender"], max_len=30), lit(m["subject"] or "", max_len=200),
        )) for m in pending])
        self.versions.sync([(str(v["version"]), (
            Text(f"v{v['version']}"), lit(v["status"]), Text("yes" if v["active"] else "", style="bold green"),
            Text(str(v["n_outcomes"])), Text(f"{_num(v['auc'])} / {_num(v['auc_current'])}"),
            Text(f"{_num(v['brier'])} / {_num(v['brier_current'])}"), Text(_num(v["p_value"])[:6]),
            lit(v["reason"], max_len=200),
        )) for v in versions])
        active = next((v["version"] for v in versions if v["active"]), None)
        self.set_status(f"{len(pending)} message(s) to decide; scoring uses "
                        + (f"calibration v{active}" if active else "the raw fit"))

    def _message(self) -> dict[str, Any] | None:
        key = self.mail.cursor_key
        msg = getattr(self, "_pending", {}).get(key) if key else None
        if msg is None:
            self.notify("no message selected", markup=False)
        return msg

    def action_confirm_mail(self) -> None:
        msg = self._message()
        if msg is None:
            return
        app, ident = self.tapp, int(msg["id"])
        body = Text("The outcome it implies is recorded and counts from now on.\n\n")
        body.append_text(lit(f"{msg['classification']} from {msg['sender']}: {msg['subject'] or ''}", max_len=300))

        def confirmed(ok: bool | None) -> None:
            if ok:
                from core.crypto import load_cipher

                app.act("confirm_mail", lambda: _said(records.confirm_message(
                    app.db, load_cipher(app.settings), ident, who=app.who)), after=self.reload)

        app.push_screen(ConfirmScreen(f"Confirm message {ident} as {msg['classification']}?", body, "Confirm"),
                        confirmed)

    def action_dismiss_mail(self) -> None:
        msg = self._message()
        if msg is None:
            return
        app, ident = self.tapp, int(msg["id"])

        def confirmed(ok: bool | None) -> None:
            if ok:
                def dismiss() -> str:
                    records.dismiss_message(app.db, ident, who=app.who)
                    return f"message {ident} dismissed"

                app.act("dismiss_mail", dismiss, after=self.reload)

        app.push_screen(ConfirmScreen(f"Dismiss message {ident}?", "It will not count as an outcome.", "Dismiss"),
                        confirmed)

    def action_rollback_calibration(self) -> None:
        app = self.tapp

        def confirmed(ok: bool | None) -> None:
            if ok:
                app.act("rollback_calibration", lambda: calibration.rollback(app.db, who=app.who)["message"],
                        after=self.reload)

        app.push_screen(ConfirmScreen("Roll back the active calibration?",
                                      "Scoring goes back to the previous shipped calibration, or to the raw fit.",
                                      "Roll back"), confirmed)


def _said(out: dict[str, Any]) -> str:
    o = out["outcome"]
    return (f"message {out['message_id']} confirmed: " +
            (f"{o['kind']} for application {out['application_id']}" if o else "no outcome"))
