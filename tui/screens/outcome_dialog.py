"""Record an application's outcome from the console: the five an operator may record and a note,
then ``core.outcomes.records.record_outcome`` (what ``talvix outcome APPLICATION KIND --note`` calls):
confirmed at once, audited, and an interview queues its prep pack and the candidate's notification."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from core.outcomes.kinds import OPERATOR_KINDS
from tui.text import lit

WHAT = {"no_response": "no answer from the employer", "rejected": "the employer said no",
        "interview": "invited to interview (queues the prep pack and tells the candidate)",
        "offer": "an offer", "withdrawn": "the candidate withdrew (the application is withdrawn)"}


class OutcomeScreen(ModalScreen[tuple[str, str] | None]):
    """Pick one of the five outcomes (``j``/``k``, ``enter`` goes on to the note), type a note, ``enter``
    records it; ``esc`` cancels. Nothing is recorded until the operator presses enter in the note or
    Record."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, application_id: int, about: Text | str = "") -> None:
        super().__init__(classes="dialog")
        self.application_id = application_id
        self._about = about if isinstance(about, Text) else lit(about)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(f"Record an outcome for application {self.application_id}", style="bold"),
                         classes="dialog-title")
            if self._about.plain:
                yield Static(self._about, classes="dialog-body")
            yield OutcomeList(*[Option(Text.assemble((k, "bold"), f"  {WHAT[k]}"), id=k) for k in OPERATOR_KINDS],
                              id="outcome-kinds")
            yield Input(placeholder="note (optional)", id="outcome-note")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel", variant="primary")
                yield Button("Record", id="ok", variant="warning")

    def on_mount(self) -> None:
        kinds = self.query_one(OptionList)
        kinds.highlighted = 0
        kinds.focus()

    @property
    def kind(self) -> str:
        kinds = self.query_one(OptionList)
        return OPERATOR_KINDS[kinds.highlighted or 0]

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#outcome-note", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss((self.kind, event.value.strip()))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.dismiss((self.kind, self.query_one("#outcome-note", Input).value.strip()))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class OutcomeList(OptionList):
    BINDINGS = [Binding("j", "cursor_down", show=False), Binding("k", "cursor_up", show=False)]


def record_outcome_dialog(app: Any, application_id: int | None, about: Text | str = "",
                          after: Any = None) -> None:
    """Open the dialog for ``application_id`` and record what the operator picks (as ``talvix outcome``)."""
    if application_id is None:
        app.notify("this row has no application", markup=False)
        return
    if app.readonly:
        app.notify("read-only console: recording an outcome is not allowed", severity="warning", markup=False)
        return

    def chosen(value: tuple[str, str] | None) -> None:
        if value is None:
            return
        kind, note = value

        def run() -> str:
            from core.outcomes.records import record_outcome

            out = record_outcome(app.db, app.cipher, int(application_id), kind, note=note or None, who=app.who)
            if not out["created"]:
                return f"application {application_id} already has a confirmed {kind} outcome"
            follow = [f["agent"] for f in out["follow_ons"] if "agent" in f]
            sent = [f for f in out["follow_ons"] if "notification_id" in f]
            extra = ((f"; {', '.join(follow)} queued" if follow else "")
                     + (f"; {len(sent)} notification(s) queued" if sent else ""))
            return f"application {application_id}: outcome {kind} recorded{extra}"

        app.act("record outcome", run, after=after)

    app.push_screen(OutcomeScreen(int(application_id), about), chosen)
