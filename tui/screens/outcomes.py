"""Outcomes: what candidates' mailboxes suggest, waiting for an operator, the calibration versions, and
the reliability table of the version under the cursor.

The upper table lists linked and classified messages (``pending``). ``c`` confirms one: the outcome it
implies is recorded and counts from then on. ``d`` dismisses one. The lower table lists every
calibration with its held-back AUC and Brier score against the scoring it was judged against. ``b``
rolls the active calibration back (to the previous shipped one, or to the raw fit). Every action asks
first, and Cancel is the default. Subjects and senders come from outside, so they are shown literally.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.widgets import DataTable, Static

from tui.keys import OUTCOME_BINDINGS
from tui.screens.base import BaseView
from tui.screens.dialogs import ConfirmScreen
from tui.text import lit
from tui.widgets.keyed_table import KeyedTable


def _outcomes() -> Any:
    """``core.outcomes.calibration`` and ``records``, imported on first use: calibration pulls in scipy
    (about two seconds), which the console's start should not wait for."""
    from core.outcomes import calibration, records

    return calibration, records


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
        yield Static(id="reliability-title")
        yield KeyedTable([("band", "score band", 10), ("n", "count", 6), ("rate", "interview rate", 14),
                          ("ci", "Wilson 95%", 13), ("cur_rate", "current rate", 12), ("cur_ci", "current Wilson", 14),
                          ("cur_n", "count", 6)], id="reliability")

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

    @property
    def reliability(self) -> KeyedTable:
        return self.query_one("#reliability", KeyedTable)

    def fetch(self, req: Any) -> Any:
        from core.crypto import load_cipher

        db = self.tapp.db
        figures = {int(r["version"]): r["figures"] or {}
                   for r in db.execute("SELECT version, figures FROM calibrations ORDER BY version DESC")}
        calibration, records = _outcomes()
        return records.pending_messages(db, load_cipher(self.tapp.settings)), calibration.versions(db), figures

    _figures: dict[int, dict[str, Any]] = {}

    def show(self, data: Any) -> None:
        pending, versions, self._figures = data
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
        self._show_reliability()
        active = next((v["version"] for v in versions if v["active"]), None)
        self.set_status(f"{len(pending)} message(s) to decide; scoring uses "
                        + (f"calibration v{active}" if active else "the raw fit"))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "calibrations":
            self._show_reliability()

    def _show_reliability(self) -> None:
        """The reliability table of the version under the cursor (the newest when none): per score band
        of the held-back outcomes, the count, the interview rate and its Wilson interval, beside the
        scoring it was judged against on the same outcomes."""
        key = self.versions.cursor_key
        version = int(key) if key and key.isdigit() else next(iter(self._figures), None)
        title = self.query_one("#reliability-title", Static)
        figs = self._figures.get(version) if version is not None else None
        if not figs:
            title.update(Text("reliability: no calibration yet (talvix calibrate)", style="dim"))
            self.reliability.sync([])
            return
        new = (figs.get("calibrated") or {}).get("reliability") or []
        cur = {r.get("band"): r for r in (figs.get("current") or {}).get("reliability") or []}
        title.update(Text.assemble((f"reliability of v{version}", "bold"),
                                   (" on held-back outcomes: interview rate per score band, 95% Wilson interval, "
                                    "and the count behind it; beside it the scoring it was judged against", "dim")))
        rows = []
        for r in new:
            c = cur.get(r.get("band")) or {}
            rows.append((str(r.get("band")), (
                lit(r.get("band")), Text(str(r.get("n", 0))), Text(_pct(r.get("rate"))),
                Text(_ci(r)), Text(_pct(c.get("rate")), style="dim"), Text(_ci(c), style="dim"),
                Text(str(c.get("n", "")), style="dim"),
            )))
        self.reliability.sync(rows)

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

                records = _outcomes()[1]
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
                    _outcomes()[1].dismiss_message(app.db, ident, who=app.who)
                    return f"message {ident} dismissed"

                app.act("dismiss_mail", dismiss, after=self.reload)

        app.push_screen(ConfirmScreen(f"Dismiss message {ident}?", "It will not count as an outcome.", "Dismiss"),
                        confirmed)

    def action_rollback_calibration(self) -> None:
        app = self.tapp

        def confirmed(ok: bool | None) -> None:
            if ok:
                app.act("rollback_calibration", lambda: _outcomes()[0].rollback(app.db, who=app.who)["message"],
                        after=self.reload)

        app.push_screen(ConfirmScreen("Roll back the active calibration?",
                                      "Scoring goes back to the previous shipped calibration, or to the raw fit.",
                                      "Roll back"), confirmed)


def _pct(value: Any) -> str:
    return "-" if value is None else f"{float(value) * 100:.1f}%"


def _ci(r: dict[str, Any]) -> str:
    if not r or not r.get("n"):
        return "-"
    return f"{float(r['wilson_low']) * 100:.0f}-{float(r['wilson_high']) * 100:.0f}%"


def _said(out: dict[str, Any]) -> str:
    o = out["outcome"]
    return (f"message {out['message_id']} confirmed: " +
            (f"{o['kind']} for application {out['application_id']}" if o else "no outcome"))
