"""A DataTable updated by key: rows added, removed or changed cell by cell, never rebuilt.

Measured on Textual 8 (style.md): any change to a visible table costs one repaint, and rebuilding or
removing rows one by one from a big table costs seconds. The console therefore shows a window of a few
hundred rows and syncs it by row key each refresh; the cursor stays on the same key (a task id) when
rows above it come and go.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from tui.keys import TABLE_BINDINGS

Column = tuple[str, str, int | None]  # key, label, width (None: fit content)

_AGE = re.compile(r"^(\d+)([smhd])(?:(\d+)h?)?$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def sort_value(cell: Any) -> tuple[int, Any]:
    """How a cell sorts: numbers (``1,234``, ``0.90``, ``3/5``) and ages (``42s``, ``7m``, ``3h05``,
    ``5d02h``) by value, before text (case-insensitive); blanks last."""
    text = (cell.plain if isinstance(cell, Text) else str(cell)).strip()
    if not text:
        return (3, "")
    plain = text.replace(",", "")
    try:
        return (0, float(plain.split("/", 1)[0]))
    except ValueError:
        pass
    m = _AGE.match(plain)
    if m:
        unit = _UNIT[m.group(2)]
        sub = int(m.group(3) or 0) * (3600 if unit == 86400 else 60 if unit == 3600 else 0)
        return (1, int(m.group(1)) * unit + sub)
    return (2, text.lower())


class KeyedTable(DataTable[Any]):
    BINDINGS = [*TABLE_BINDINGS]

    def __init__(self, columns: Sequence[Column], **kw: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kw)
        self.columns_spec = list(columns)
        self._cells: dict[str, tuple[Any, ...]] = {}
        self._order: list[str] = []
        self._unsorted: list[str] = []
        self.sort_col: str | None = None
        self.sort_reverse = False
        #: Set by a paged view: the rows come sorted from the database (over the whole filtered
        #: result), so the table keeps the order given; ``sortable`` lists the columns S cycles through.
        self.server_sort = False
        self.sortable: list[str] | None = None

    def on_mount(self) -> None:
        for key, label, width in self.columns_spec:
            self.add_column(label, key=key, width=width)

    @property
    def cursor_key(self) -> str | None:
        """The key (e.g. task id) of the row under the cursor."""
        if self.row_count == 0:
            return None
        try:
            return self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value
        except Exception:
            return None

    @property
    def keys(self) -> list[str]:
        return list(self._order)

    def sync(self, rows: Sequence[tuple[str, tuple[Any, ...]]]) -> None:
        """Make the table show ``rows`` (key, cells) in this order (or sorted by the operator's
        column), touching only what changed."""
        self._unsorted = [k for k, _ in rows]
        rows = self._sorted(rows)
        keep = self.cursor_key
        keep_index = self.cursor_row
        new_keys = [k for k, _ in rows]
        wanted = set(new_keys)
        for key in [k for k in self._order if k not in wanted]:
            self.remove_row(key)
            self._cells.pop(key, None)
        col_keys = [c[0] for c in self.columns_spec]
        for key, cells in rows:
            old = self._cells.get(key)
            if old is None:
                self.add_row(*cells, key=key)
            elif old != cells:
                for ck, before, after in zip(col_keys, old, cells):
                    if before != after:
                        self.update_cell(key, ck, after)
            self._cells[key] = cells
        locations = self._row_locations
        current = [getattr(locations.get_key(i), "value", None) for i in range(len(new_keys))]
        if current != new_keys:
            # Same as DataTable.sort, with the order given by the caller rather than by cell values.
            self._row_locations = TwoWayDict({RowKey(k): i for i, k in enumerate(new_keys)})
            self._update_count += 1
            self.refresh()
        self._order = new_keys
        if keep is not None and keep in wanted:
            index = new_keys.index(keep)
            if index != self.cursor_row:
                self.move_cursor(row=index, animate=False, scroll=True)
        elif new_keys:
            self.move_cursor(row=min(keep_index, len(new_keys) - 1), animate=False)

    def shows(self, keys: list[str]) -> bool:
        """Whether the table shows exactly these keys in this order (never while sorted by a column:
        a changed cell may move its row)."""
        return (self.sort_col is None or self.server_sort) and keys == self._order

    def update_rows(self, changed: dict[str, tuple[Any, ...]]) -> None:
        """New cells for rows already shown, in place (same keys, same order): only the cells that
        differ are replaced, and only those rows' lines are repainted, not the whole table."""
        col_keys = [ColumnKey(c[0]) for c in self.columns_spec]
        locations = self._row_locations
        for key, cells in changed.items():
            old = self._cells[key]
            row_key = RowKey(key)
            data = self._data[row_key]
            touched = False
            for ck, before, after in zip(col_keys, old, cells):
                if before != after:
                    data[ck] = after
                    touched = True
            self._cells[key] = cells
            if touched:
                # What DataTable.update_cell does, but repainting only this row's lines. Every row
                # here is one line high (add_row's default), so its region is known without
                # DataTable._get_row_region, which sums the heights of all rows above it.
                self._update_count += 1
                line = locations.get(row_key)
                if line is None:
                    continue
                y = line + (self.header_height if self.show_header else 0)
                self._refresh_region(Region(0, y, max(self.size.width, self.virtual_size.width), 1))

    def set_widths(self, widths: dict[str, int]) -> None:
        """Give columns fixed widths (cells are cropped to them); used to fit columns to the terminal."""
        changed = False
        for key, width in widths.items():
            col = self.columns.get(ColumnKey(key))
            if col is not None and (col.width != width or col.auto_width):
                col.width, col.auto_width = max(1, width), False
                changed = True
        if changed:
            self._require_update_dimensions = True
            self._clear_caches()
            self.refresh()

    def fit(self, total: int, flex: dict[str, tuple[int, int]]) -> dict[str, int]:
        """Fit the columns to ``total`` cells: fixed columns keep their width, each ``flex`` column
        (key -> (minimum, weight)) gets its minimum plus a share of what is left by weight."""
        pad = 2 * self.cell_padding
        fixed = sum((w or 0) + pad for k, _, w in self.columns_spec if k not in flex)
        spare = total - fixed - sum(m + pad for m, _ in flex.values())
        weights = sum(w for _, w in flex.values()) or 1
        widths = {k: m + max(0, spare) * w // weights for k, (m, w) in flex.items()}
        self.set_widths(widths)
        return widths

    def action_top(self) -> None:
        """``gg``/``home``: the first row (a paged view also goes back to its newest page)."""
        screen = self.screen
        if hasattr(screen, "action_newest") and getattr(screen, "table", None) is self:
            screen.action_newest()
            return
        if self.row_count:
            self.move_cursor(row=0, animate=False)

    def action_bottom(self) -> None:
        """``G``/``end``: the last row (never a sideways scroll)."""
        if self.row_count:
            self.move_cursor(row=self.row_count - 1, animate=False)

    # -- sorting (k9s: by column, inverted) ---------------------------------------------------
    def action_sort_next(self) -> None:
        """``S``: sort the rows shown by the next column (after the last: back to the view's order)."""
        keys = [c[0] for c in self.columns_spec if c[1].strip()]
        if self.sortable is not None:
            keys = [k for k in keys if k in self.sortable]
        if self.sort_col is None:
            self.sort_col = keys[0] if keys else None
        else:
            i = keys.index(self.sort_col) if self.sort_col in keys else -1
            self.sort_col = keys[i + 1] if i + 1 < len(keys) else None
        self._resort()

    def action_sort_invert(self) -> None:
        """``I``: invert the sort order."""
        if self.sort_col is None:
            return
        self.sort_reverse = not self.sort_reverse
        self._resort()

    @property
    def sort_label(self) -> str:
        if self.sort_col is None:
            return ""
        label = next((c[1] for c in self.columns_spec if c[0] == self.sort_col), self.sort_col)
        return f"sorted by {label} {'desc' if self.sort_reverse else 'asc'}"

    def _resort(self) -> None:
        for key, label, _ in self.columns_spec:
            col = self.columns.get(ColumnKey(key))
            if col is not None:
                arrow = ("" if key != self.sort_col else (" v" if self.sort_reverse else " ^"))
                col.label = Text(label + arrow)
        self._require_update_dimensions = True
        rows = [(k, self._cells[k]) for k in self._unsorted]
        self.sync(rows)
        self.refresh()
        self.post_message(self.Sorted(self))

    class Sorted(Message):
        def __init__(self, table: KeyedTable) -> None:
            super().__init__()
            self.table = table

    def _sorted(self, rows: Sequence[tuple[str, tuple[Any, ...]]]) -> list[tuple[str, tuple[Any, ...]]]:
        if self.sort_col is None or self.server_sort:
            return list(rows)
        idx = [c[0] for c in self.columns_spec].index(self.sort_col)
        return sorted(rows, key=lambda kc: sort_value(kc[1][idx] if idx < len(kc[1]) else ""),
                      reverse=self.sort_reverse)

    def move_to_key(self, key: str) -> bool:
        if key in self._cells:
            self.move_cursor(row=self._order.index(key), animate=False)
            return True
        return False

    def clear_rows(self) -> None:
        self.clear()
        self._cells.clear()
        self._order = []
