"""Views over big tables: a window of rows paged from Postgres by id, totals from a count query.

The page is fetched first and shown at once; the total is counted in its own worker (counts over
millions of rows take longer, and give up after a few seconds, showing "?").
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable

from core.browse.filters import Filter
from core.browse.pages import Window
from tui.screens.base import BaseView
from tui.text import count
from tui.widgets.keyed_table import Column, KeyedTable

COUNT_EVERY_S = 5.0
_NEVER = datetime.max.replace(tzinfo=UTC)


class PagedView(BaseView):
    COLUMNS: list[Column] = []
    NOUN = "rows"
    #: The columns ``S`` sorts by in the database (a ``core.browse.pages.*_SORTS`` map); empty: none.
    SORTS: dict[str, Any] = {}

    def __init__(self) -> None:
        super().__init__()
        self.before_id: int | None = None
        self._pages: list[int | None] = []
        self.total: int | None = None
        self._count_key: tuple[Any, ...] | None = None
        self._count_at = 0.0
        self.window: Window | None = None
        self.rows: dict[str, dict[str, Any]] = {}
        self._cell_cache: dict[str, tuple[dict[str, Any], Any, tuple[Any, ...], Any]] = {}
        #: The console's clock at the last refresh: every row's age in one refresh is measured from it.
        self.shown_at: Any = None
        self._cells_state: Any = None
        self._cells_until: Any = None  # the first moment a shown cell goes stale with time alone
        self._state_same = False  # whether cells_state() was unchanged at the last check
        #: The operator's sort (column key, descending), applied by the database to the whole filtered
        #: result; paged by ``offset`` while set (keyset by id otherwise).
        self.order: tuple[str, bool] | None = None
        self.sort_offset = 0

    # -- to implement ---------------------------------------------------------------------------
    def fetch_window(self, flt: Filter, limit: int, before_id: int | None, order: tuple[str, bool] | None = None,
                     offset: int = 0) -> Window:
        raise NotImplementedError

    def fetch_count(self, flt: Filter) -> int | None:
        raise NotImplementedError

    def cells(self, row: dict[str, Any]) -> tuple[Any, ...]:
        raise NotImplementedError

    def key(self, row: dict[str, Any]) -> str:
        return str(row["id"])

    def cell_token(self, row: dict[str, Any]) -> Any:
        """What besides the row itself and the clock changes its cells (e.g. a mark); checked for every
        row of every refresh that changed something, so keep it cheap. Time goes in
        :meth:`cells_valid_until`."""
        return None

    def _row_cells(self, keyed: dict[str, dict[str, Any]]) -> list[tuple[str, tuple[Any, ...]]]:
        """(key, cells) for the window, reusing the cells of every row that did not change: same row,
        same token, and not gone stale with time. Only changed rows are built again."""
        self.shown_at = now = self.tapp.now()
        old = self._cell_cache
        cache: dict[str, tuple[dict[str, Any], Any, tuple[Any, ...], Any]] = {}
        out = []
        until: Any = _NEVER
        for key, r in keyed.items():
            token = self.cell_token(r)
            prev = old.get(key)
            if prev is not None and prev[1] == token and now < prev[3] and prev[0] == r:
                cells, row_until = prev[2], prev[3]
            else:
                cells, row_until = self.cells(r), self.cells_valid_until(r) or _NEVER
            cache[key] = (r, token, cells, row_until)
            out.append((key, cells))
            if row_until < until:
                until = row_until
        self._cell_cache = cache
        self._cells_until = until
        return out

    def _changed_cells(self, before: dict[str, Any], keyed: dict[str, Any]) -> dict[str, tuple[Any, ...]] | None:
        """The new cells of just the rows that changed, when nothing else did: same keys in the same
        order, same extra state (checked by the caller) and no cell gone stale with time. The common
        live refresh (a task or two of the window updated); else None and :meth:`_row_cells` runs."""
        cache = self._cell_cache
        keys = list(keyed)
        if (not self._state_same or self._cells_until is None or self.shown_at is None
                or list(before) != keys or list(cache) != keys or not self.table.shows(keys)):
            return None
        now = self.tapp.now()
        if now >= self._cells_until:
            return None
        self.shown_at = now
        out: dict[str, tuple[Any, ...]] = {}
        for key in [k for k, r in keyed.items() if before[k] != r]:
            r = keyed[key]
            cells = self.cells(r)
            row_until = self.cells_valid_until(r) or _NEVER
            cache[key] = (r, self.cell_token(r), cells, row_until)
            out[key] = cells
            if row_until < self._cells_until:
                self._cells_until = row_until
        return out

    def open_detail(self, key: str) -> None:
        pass

    # -- layout -------------------------------------------------------------------------------
    def body(self) -> ComposeResult:
        yield KeyedTable(self.COLUMNS, id="table")

    def on_mount(self) -> None:
        self._server_sort(self.table)

    def _server_sort(self, table: KeyedTable) -> None:
        table.server_sort = True
        table.sortable = list(self.SORTS)

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#table", KeyedTable)

    def focus_main(self) -> None:
        self.table.focus()

    # -- loading ------------------------------------------------------------------------------
    def request(self) -> Any:
        return (self.filter, self.tapp.page_size, self.before_id, self.order, self.sort_offset)

    def fetch(self, req: Any) -> Any:
        flt, limit, before, order, offset = req
        window = (self.fetch_window(flt, limit, before, order, offset) if order is not None
                  else self.fetch_window(flt, limit, before))
        return req, window, {self.key(r): r for r in window.rows}  # keyed here, off the UI thread

    def show(self, data: Any) -> None:
        req, window, keyed = data
        if req[0] != self.filter or req[2] != self.before_id or req[3] != self.order or req[4] != self.sort_offset:
            self.reload()  # the filter, page or sort changed while this was fetched
            return
        previous, self.window = self.window, window
        before, self.rows = self.rows, keyed
        if before.keys() != keyed.keys():
            # Rows came or went: count again within a second (not on every refresh of a busy queue).
            self._count_at = min(self._count_at, time.monotonic() - COUNT_EVERY_S + 1.0)
        if not self._cells_unchanged(previous, window):
            changed = self._changed_cells(before, keyed)
            if changed is not None:
                self.table.update_rows(changed)
            else:
                self.table.sync(self._row_cells(keyed))
        self._maybe_count()
        self.update_status()

    def _cells_unchanged(self, previous: Window | None, window: Window) -> bool:
        """Whether the table already shows exactly these cells: same rows (compared in C, one list
        equality), same extra state (marks) and no cell gone stale with time (an age's next tick).
        Then a refresh costs the query and this check, not a pass over every row."""
        state = self.cells_state()
        self._state_same = state == self._cells_state
        if (previous is None or previous.rows != window.rows or state != self._cells_state
                or self._cells_until is None or self.tapp.now() >= self._cells_until):
            self._cells_state = state
            return False
        return True

    def cells_state(self) -> Any:
        """What besides the rows and the clock every row's cells depend on (e.g. the marks)."""
        return None

    def cells_valid_until(self, row: dict[str, Any]) -> Any:
        """When this row's cells go stale with time alone (e.g. its age ticks), or None for never."""
        return None

    def shown_total(self) -> str:
        """The total to show beside the window, never fewer than the rows on screen: the first page
        with nothing older is its own exact count; a count taken before rows arrived is not shown
        (a fresh count is on its way) rather than "12 shown of 11"."""
        w = self.window
        n = len(w.rows) if w else 0
        if w is not None and self.before_id is None and not w.has_older:
            return count(n)
        least = n + (1 if w is not None and w.has_older else 0)
        if self.total is not None and self.total < least:
            if time.monotonic() - self._count_at > 0.5:
                self._count_at = 0.0
                self._maybe_count()
            return "counting"
        return count(self.total)

    def update_status(self) -> None:
        w = self.window
        n = len(w.rows) if w else 0
        first = self.before_id is None and not self.sort_offset
        where = ("newest" if self.order is None else "first") if first else f"page {len(self._pages) + 1}"
        more = ("  ] older" if self.order is None else "  ] next") if w and w.has_older else ""
        sort = f"  {self.table.sort_label} (all)" if self.table.sort_col else ""
        self.set_status(f"{n} shown of {self.shown_total()} {self.NOUN} ({where}){more}{sort}{self.extra_status()}")

    @on(KeyedTable.Sorted)
    def _resorted(self, event: KeyedTable.Sorted) -> None:
        """``S`` / ``I``: the database sorts the whole filtered result by the column; back to page one."""
        table = event.table
        if table is not self.table or not table.server_sort:
            self.update_status()
            return
        self.order = (table.sort_col, table.sort_reverse) if table.sort_col else None
        self.before_id = None
        self.sort_offset = 0
        self._pages.clear()
        table.move_cursor(row=0)
        self.reload()
        self.update_status()

    def yank_text(self) -> tuple[str, str | None]:
        return "id", self.table.cursor_key

    def extra_status(self) -> str:
        return ""

    def _maybe_count(self) -> None:
        key = (self.filter,)
        if key != self._count_key or time.monotonic() - self._count_at > COUNT_EVERY_S:
            self._count_key = key
            self._count_at = time.monotonic()
            self._count_worker(self.filter)

    @work(thread=True, exit_on_error=False, group="count", exclusive=True)
    def _count_worker(self, flt: Filter) -> None:
        try:
            n = self.fetch_count(flt)
        except Exception:
            n = None
        try:
            self.app.call_from_thread(self._counted, flt, n)
        except RuntimeError:
            pass

    def _counted(self, flt: Filter, n: int | None) -> None:
        if flt == self.filter:
            self.total = n
            self.update_status()

    def filter_changed(self) -> None:
        self.before_id = None
        self.sort_offset = 0
        self._pages.clear()
        self.total = None
        self.reload()

    # -- paging -------------------------------------------------------------------------------
    def action_older(self) -> None:
        w = self.window
        if not w or not w.has_older or not w.rows:
            self.notify("no older rows", markup=False)
            return
        if self.order is not None:  # sorted: the next rows of the whole sorted result
            self._pages.append(self.sort_offset)
            self.sort_offset += len(w.rows)
        else:
            self._pages.append(self.before_id)
            self.before_id = int(w.rows[-1]["id"])
        self.table.move_cursor(row=0)
        self.reload()

    def action_newer(self) -> None:
        if not self._pages:
            self.notify("already at the first rows" if self.order else "already at the newest rows", markup=False)
            return
        if self.order is not None:
            self.sort_offset = int(self._pages.pop() or 0)
        else:
            self.before_id = self._pages.pop()
        self.reload()

    def action_newest(self) -> None:
        self.before_id = None
        self.sort_offset = 0
        self._pages.clear()
        self.reload()
        self.table.move_cursor(row=0)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.open_detail(event.row_key.value)
