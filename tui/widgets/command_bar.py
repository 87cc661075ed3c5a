"""The bottom line where operators type a filter (``/``) or a command (``:``), as in k9s and vim.

One row high at every size: the input is *compact* (no border), so what is typed and the placeholder
are always on screen (a focused input's border used to take the only row it had). ``up``/``down``
walk the history of what was entered in this mode; ``right`` or ``tab`` accept the grey completion
(view names after ``:``, filter keys and state words after ``/``).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input

PLACEHOLDERS = {
    "filter": "/ filter: agent:apply status:failed,dead !site:lever err:timeout   (up: history, esc: close)",
    "command": ": command: queue status:failed | approvals | logs level:error | quit   (up: history)",
}
HISTORY_MAX = 50


class WordSuggester(Suggester):
    """Completes the last word of the line from a list of words (view names, ``key:`` filter keys)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.words: list[str] = []

    async def get_suggestion(self, value: str) -> str | None:
        if not value or value[-1].isspace():
            return None
        head, _, last = value.rpartition(" ")
        bare = last.lstrip("!")
        if not bare:
            return None
        low = bare.lower()
        for word in self.words:
            if word.lower().startswith(low) and word.lower() != low:
                return (head + " " if head else "") + last[: len(last) - len(bare)] + bare + word[len(bare):]
        return None


class CommandBar(Input):
    """Hidden until opened; Enter submits, Escape closes without changing anything."""

    DEFAULT_CSS = """
    CommandBar, CommandBar:focus { display: none; height: 1; padding: 0 1; border: none; }
    CommandBar.-open { display: block; }
    """
    BINDINGS = [Binding("escape", "close", "Close", show=False),
                Binding("up", "history(-1)", "Older entry", show=False),
                Binding("down", "history(1)", "Newer entry", show=False),
                Binding("tab", "complete", "Complete", show=False)]

    class Done(Message):
        def __init__(self, mode: str, value: str | None) -> None:
            super().__init__()
            self.mode = mode
            self.value = value  # None: cancelled

    def __init__(self, **kw: object) -> None:
        self._words = WordSuggester()
        super().__init__(select_on_focus=False, compact=True, suggester=self._words, **kw)  # type: ignore[arg-type]
        self.mode = "filter"
        self._history: dict[str, list[str]] = {"filter": [], "command": []}
        self._hist_pos = 0

    def open(self, mode: str, value: str = "", *, words: Sequence[str] = (),
             history: list[str] | None = None) -> None:
        """Show the bar in ``mode`` with ``value``; ``words`` complete the last word; ``history`` is the
        list (shared by the app, newest last) that ``up`` walks and a submitted line is added to."""
        self.mode = mode
        self.placeholder = PLACEHOLDERS.get(mode, PLACEHOLDERS["command"])
        self._words.words = list(words)
        if history is not None:
            self._history[mode] = history
        self._hist_pos = len(self._history.get(mode, []))
        self.value = value
        self.add_class("-open")
        self.focus()
        self.cursor_position = len(value)

    def action_close(self) -> None:
        self._finish(None)

    def action_history(self, step: int) -> None:
        hist = self._history.get(self.mode, [])
        if not hist:
            return
        pos = min(max(self._hist_pos + step, 0), len(hist))
        self._hist_pos = pos
        self.value = hist[pos] if pos < len(hist) else ""
        self.cursor_position = len(self.value)

    def action_complete(self) -> None:
        if self._suggestion:
            self.value = self._suggestion
            self.cursor_position = len(self.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = self.value
        hist = self._history.setdefault(self.mode, [])
        if value.strip():
            if value in hist:
                hist.remove(value)
            hist.append(value)
            del hist[:-HISTORY_MAX]
        self._finish(value)

    def _finish(self, value: str | None) -> None:
        self.remove_class("-open")
        self.post_message(self.Done(self.mode, value))
