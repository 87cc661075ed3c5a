"""The bottom line where operators type a filter (``/``) or a command (``:``), as in k9s and vim."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class CommandBar(Input):
    """Hidden until opened; Enter submits, Escape closes without changing anything."""

    DEFAULT_CSS = """
    CommandBar { dock: bottom; display: none; border: none; height: 1; padding: 0 1; }
    CommandBar.-open { display: block; }
    """
    BINDINGS = [Binding("escape", "close", "Close", show=False)]

    class Done(Message):
        def __init__(self, mode: str, value: str | None) -> None:
            super().__init__()
            self.mode = mode
            self.value = value  # None: cancelled

    def __init__(self, **kw: object) -> None:
        super().__init__(select_on_focus=False, **kw)  # type: ignore[arg-type]
        self.mode = "filter"

    def open(self, mode: str, value: str = "") -> None:
        self.mode = mode
        self.placeholder = ("filter: agent:apply status:failed,dead !site:lever err:timeout" if mode == "filter"
                            else "command: queue status:failed | approvals | logs level:error | quit")
        self.value = value
        self.add_class("-open")
        self.focus()
        self.cursor_position = len(value)

    def action_close(self) -> None:
        self._finish(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._finish(self.value)

    def _finish(self, value: str | None) -> None:
        self.remove_class("-open")
        self.post_message(self.Done(self.mode, value))
