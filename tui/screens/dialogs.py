"""Modal dialogs: confirm (default Cancel), prompt for a line of text, and help for the keys valid here."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Static

from tui.screens.search import SEARCH_BINDINGS, TextSearch


class ConfirmScreen(ModalScreen[bool]):
    """A destructive action's confirmation. Cancel has the focus, so Enter alone never confirms."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False),
                Binding("left,right,h,l", "app.focus_next", show=False)]

    def __init__(self, title: str, body: Text | str, action_label: str) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._body = body if isinstance(body, Text) else Text(body)
        self._label = action_label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self._title, style="bold"), classes="dialog-title")
            yield Static(self._body, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel", variant="primary")
                yield Button(self._label, id="ok", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "ok")

    def action_cancel(self) -> None:
        self.dismiss(False)


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text (a rejection reason, an edited answer, a file name)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, title: str, value: str = "", *, placeholder: str = "", required: bool = False,
                 note: Text | str = "") -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._value = value
        self._placeholder = placeholder
        self._required = required
        self._note = note if isinstance(note, Text) else Text(note)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self._title, style="bold"), classes="dialog-title")
            if self._note.plain:
                yield Static(self._note, classes="dialog-body")
            yield Input(self._value, placeholder=self._placeholder, id="prompt-input")
            yield Static(Text("enter: OK   esc: Cancel", style="dim"))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value
        if self._required and not value.strip():
            self.app.notify("a value is required (esc cancels)", severity="warning", markup=False)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpTable(DataTable[Text]):
    BINDINGS = [Binding("j", "cursor_down", show=False), Binding("k", "cursor_up", show=False),
                Binding("g,home", "scroll_top", show=False), Binding("G,end", "scroll_bottom", show=False)]


class HelpScreen(ModalScreen[None]):
    """The keys valid on the screen underneath, grouped by purpose, with what each does and its binding
    id (for remapping); ``enter`` runs the one under the cursor on the screen underneath."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", show=False)]

    def __init__(self, title: str, rows: list[tuple[str, str, str, str, Any]]) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._rows = rows
        self._run: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static(Text(f"Keys: {self._title}", style="bold"), classes="dialog-title")
            yield HelpTable(cursor_type="row", id="help-table")
            yield Static(Text("enter: run   j/k: move   esc: close   remap in talvix.toml: [console.keys] <id> = \"key\"",
                              style="dim"))

    def on_mount(self) -> None:
        table = self.query_one(HelpTable)
        table.add_columns("", "key", "does", "id")
        group = None
        for _i, (purpose, key, desc, ident, run) in enumerate(self._rows):
            if purpose != group:
                group = purpose
                table.add_row(Text(purpose, style="bold underline"), Text(""), Text(""), Text(""), key=f"-{purpose}")
            table.add_row(Text(""), Text(key, style="bold"), Text(desc), Text(ident, style="dim"), key=ident)
            self._run[ident] = run
        table.focus()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        run = self._run.get(str(event.row_key.value))
        if run is None:
            return
        self.dismiss(None)
        run()

    def action_close(self) -> None:
        self.dismiss(None)


class TextScreen(TextSearch, ModalScreen[None]):
    """A scrollable block of literal text (record details: a job, a candidate, an audit entry); ``/``
    finds text in it."""

    BINDINGS = [Binding("escape,q", "close", "Close", show=False), *SEARCH_BINDINGS,
                Binding("j", "scroll('down')", show=False), Binding("k", "scroll('up')", show=False)]
    SEARCH_WHAT = "this record"

    def __init__(self, title: str, body: Text) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static(Text(self._title, style="bold"), classes="dialog-title", id="text-title")
            with VerticalScroll(id="text-scroll"):
                yield Static(self._body, id="text-body")
            yield Static(Text("/ find  n/N next/previous  j/k scroll  esc close", style="dim"))

    def on_mount(self) -> None:
        self.show_text(self._body)
        self.query_one("#text-scroll").focus()

    def search_body(self) -> Static:
        return self.query_one("#text-body", Static)

    def search_scroller(self) -> Any:
        return self.query_one("#text-scroll")

    def search_status(self) -> None:
        title = Text(self._title, style="bold")
        if self.search:
            title.append("  ")
            title.append(self.search_said(), style="bold cyan")
        self.query_one("#text-title", Static).update(title)

    def action_scroll(self, direction: str) -> None:
        scroller = self.query_one("#text-scroll")
        (scroller.scroll_down if direction == "down" else scroller.scroll_up)(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
