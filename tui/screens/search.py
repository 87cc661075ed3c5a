"""``/`` inside a detail view (less's habit): find text, ``n`` / ``N`` next / previous match.

Two kinds of detail: a block of text (task, job, candidate, audit entry, a screenshot's filled values),
where matches are highlighted and scrolled to, and a table (answer sheet, error groups, sites), where
the cursor moves to the next row holding the text. The search is case-insensitive and literal: what is
typed is never read as markup or a pattern.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from tui.keys import SEARCH_BINDINGS

__all__ = ["SEARCH_BINDINGS", "TableSearch", "TextSearch"]

MATCH_STYLE = "black on yellow"


class _Search:
    search = ""
    _match = -1
    SEARCH_WHAT = "this detail"

    def action_search(self) -> None:
        """``/``: find text here (case-insensitive); ``n`` / ``N`` next / previous match."""
        from tui.screens.dialogs import PromptScreen

        def done(text: str | None) -> None:
            if text is None:
                return
            self.search = text.strip()
            self._match = -1
            self.search_changed()
            if self.search:
                self.action_next_match()

        self.app.push_screen(PromptScreen(f"Find in {self.SEARCH_WHAT}", self.search,  # type: ignore[attr-defined]
                                          placeholder="text to find"), done)

    def search_changed(self) -> None:
        raise NotImplementedError

    def match_count(self) -> int:
        raise NotImplementedError

    def go_to_match(self, index: int) -> None:
        raise NotImplementedError

    def search_said(self) -> str:
        """``/word: 3 match(es)  n/N`` for the screen's title or status line ('' without a search)."""
        return f"/{self.search}: {self.match_count()} match(es)  n/N" if self.search else ""

    def action_next_match(self, step: int = 1) -> None:
        n = self.match_count()
        if not n:
            if self.search:
                self.app.notify(f"no match for {self.search!r}", markup=False)  # type: ignore[attr-defined]
            return
        self._match = (self._match + step) % n
        self.go_to_match(self._match)


class TextSearch(_Search):
    """Search a block of literal text shown in a ``Static`` inside a scrolling container.

    The screen calls :meth:`show_text` with the text it would have shown; matches are highlighted
    on a copy. It implements :meth:`search_body` and :meth:`search_scroller`, and may override
    :meth:`search_status` to show the count.
    """

    _shown: Text | None = None
    _lines: list[int] = []

    def search_body(self) -> Static:
        raise NotImplementedError

    def search_scroller(self) -> Widget:
        raise NotImplementedError

    def search_status(self) -> None:
        pass

    def show_text(self, text: Text) -> None:
        self._shown = text
        self._render_search()

    def search_changed(self) -> None:
        self._render_search()

    def _render_search(self) -> None:
        if self._shown is None:
            return
        text = self._shown.copy()
        self._lines = []
        if self.search:
            plain, needle = text.plain.lower(), self.search.lower()
            at = plain.find(needle)
            while at >= 0:
                text.stylize(MATCH_STYLE, at, at + len(needle))
                self._lines.append(plain.count("\n", 0, at))
                at = plain.find(needle, at + len(needle))
        self.search_body().update(text)
        self.search_status()

    def match_count(self) -> int:
        return len(self._lines)

    def go_to_match(self, index: int) -> None:
        self.search_scroller().scroll_to(y=max(0, self._lines[index] - 2), animate=False)


class TableSearch(_Search):
    """Search the rows of a detail's table: the cursor goes to the next row whose cells hold the text."""

    def search_table(self) -> Any:
        raise NotImplementedError

    def search_status(self) -> None:
        pass

    def matching_rows(self) -> list[str]:
        if not self.search:
            return []
        table = self.search_table()
        needle = self.search.lower()
        return [key for key in table.keys
                if any(needle in (c.plain if isinstance(c, Text) else str(c)).lower() for c in table._cells[key])]

    def search_changed(self) -> None:
        self.search_status()

    def match_count(self) -> int:
        return len(self.matching_rows())

    def go_to_match(self, index: int) -> None:
        rows = self.matching_rows()
        if rows:
            self.search_table().move_to_key(rows[index % len(rows)])
        self.search_status()
