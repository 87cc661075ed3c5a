"""The one-line header of a view: its name, what the window shows of the whole, the filter, flags."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from core.safetext import clean


class StatusLine(Static):
    DEFAULT_CSS = "StatusLine { height: 1; padding: 0 1; background: $panel; }"

    _shown: tuple[object, ...] | None = None

    def show(self, view: str, detail: str | Text = "", filter_text: str = "", flags: list[str] | None = None) -> None:
        """Show the line; an unchanged line is left alone (an update costs a layout pass, every refresh)."""
        shown = (view, detail, filter_text, tuple(flags or ()))
        if shown == self._shown:
            return
        self._shown = shown
        line = Text()
        # Text.append never parses markup; clean() drops escape sequences (details may quote the database).
        line.append(clean(view), style="bold")
        if isinstance(detail, Text):  # ours, already literal (styled counts)
            line.append("  ")
            line.append_text(detail)
        elif detail:
            line.append("  " + clean(detail))
        if filter_text:
            line.append("  /", style="bold cyan")
            line.append(clean(filter_text), style="cyan")
        for flag in flags or []:
            line.append("  " + clean(flag), style="bold yellow")
        self.update(line)
