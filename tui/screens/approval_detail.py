"""One approval: the answer sheet field by field, edits, documents, screenshots; approve or reject."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from core.browse import pages
from tui.keys import APPROVAL_DETAIL_BINDINGS, WRITE_ACTIONS, YANK_BINDINGS
from tui.screens.approvals import approval_actions, document_lines, is_blank, who_what
from tui.screens.base import Fetching, ReadonlyKeys
from tui.screens.dialogs import PromptScreen
from tui.screens.screenshot import ScreenshotScreen
from tui.screens.search import SEARCH_BINDINGS, TableSearch
from tui.text import lit
from tui.widgets.halfblock import HalfBlockImage
from tui.widgets.keyed_table import KeyedTable
from tui.widgets.status_line import StatusLine

#: The answer sheet's columns that share the width left over (minimum, weight); conf and req are fixed.
FLEX = {"label": (12, 4), "value": (10, 4), "source": (6, 2)}
#: Below this width the documents and screenshot go under the table, not beside it.
SIDE_MIN_WIDTH = 120


class ApprovalDetailScreen(TableSearch, ReadonlyKeys, Fetching, Screen[None]):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back", id="back"), *APPROVAL_DETAIL_BINDINGS,
                *YANK_BINDINGS, *SEARCH_BINDINGS]
    SEARCH_WHAT = "the answer sheet"

    def search_table(self) -> KeyedTable:
        return self.query_one("#fields", KeyedTable)

    def search_status(self) -> None:
        self._title_line()

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.detail: dict[str, Any] | None = None
        self.edits: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield Static(id="approval-reason")
        with Horizontal(id="approval-main"):
            with Vertical(id="approval-left"):
                yield KeyedTable([("label", "question", 24), ("value", "value", 24), ("source", "source", 18),
                                  ("conf", "conf", 4), ("req", "req", 3)], id="fields")
                yield Static(id="field-strip")
            with Vertical(id="approval-side"):
                yield Static(id="approval-docs")
                yield HalfBlockImage(id="approval-shot")
        yield Footer()

    def on_resize(self, event: Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        wide = self.size.width >= SIDE_MIN_WIDTH
        self.query_one("#approval-side").display = wide
        table = self.query_one("#fields", KeyedTable)
        # The table's own width is known only after layout; fit to what it will get.
        total = (self.size.width * 3 // 5 if wide else self.size.width) - 2  # scrollbar
        table.fit(total, FLEX)

    def on_mount(self) -> None:
        self.query_one(StatusLine).show(f"Approval {self.key}", "loading")
        self._fit()
        self.query_one("#fields", KeyedTable).focus()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.app.readonly:  # type: ignore[attr-defined]
            return False
        return True

    def fetch(self, req: Any) -> Any:
        return pages.approval_detail(self.app.db, self.key, cipher=self.app.cipher)  # type: ignore[attr-defined]

    def _field_key(self, f: dict[str, Any]) -> str:
        return str(f.get("name") or f.get("label"))

    def show(self, data: Any) -> None:
        self.detail = data
        if data is None:
            self.query_one(StatusLine).show(f"Approval {self.key}", "no longer waiting")
            return
        self._title_line()
        reason = who_what(data)
        if data.get("reason"):
            reason.append("\n")
            reason.append("why: ", style="bold")
            reason.append_text(lit(data["reason"], "magenta"))
        self.query_one("#approval-reason", Static).update(reason)
        rows = []
        for f in data["fields"]:
            k = self._field_key(f)
            edited = k in self.edits
            value = self.edits[k] if edited else f.get("value")
            conf = f.get("confidence")
            required = bool(f.get("required"))
            if is_blank(value):
                shown = (Text("(required, blank)", style="bold white on red") if required
                         else Text("(blank)", style="dim"))
            else:
                shown = lit(value, "bold yellow" if edited else ("red" if conf is not None and conf < 0.5 else ""),
                            max_len=200)
            rows.append((k, (
                lit(f.get("label") or k, max_len=200),
                shown,
                lit("operator edit" if edited else (f.get("source") or ""), max_len=80),
                Text("" if conf is None else f"{conf:.2f}", style="red" if conf is not None and conf < 0.5 else ""),
                Text("req", style="bold red" if is_blank(value) else "bold") if required else Text(""),
            )))
        self.query_one("#fields", KeyedTable).sync(rows)
        docs = Text()
        for kind, doc in document_lines(data):
            docs.append(f"{kind}: ", style="bold")
            docs.append_text(lit(doc))
            docs.append("\n")
        if not docs.plain:
            docs.append("documents: none\n", style="dim")
        shots = data.get("screenshots") or []
        docs.append(f"screenshots: {len(shots)} (o opens)", style="bold")
        self.query_one("#approval-docs", Static).update(docs)
        paths = self._shot_paths()
        self.query_one("#approval-shot", HalfBlockImage).set_path(paths[-1] if paths else None)
        self._strip()

    def _title_line(self) -> None:
        detail = self.search_said() or "enter/e edit  a approve  r reject  o screenshot  / find"
        self.query_one(StatusLine).show(f"Approval {self.key}", detail,
                                        flags=[f"{len(self.edits)} edited"] if self.edits else [])

    def yank_text(self) -> tuple[str, str | None]:
        f = self.current_field()
        if f is None:
            return "answer", None
        value = self.edits.get(self._field_key(f), f.get("value"))
        return "answer", None if is_blank(value) else str(value)

    def current_field(self) -> dict[str, Any] | None:
        key = self.query_one("#fields", KeyedTable).cursor_key
        if key is None or not self.detail:
            return None
        return next((f for f in self.detail["fields"] if self._field_key(f) == key), None)

    def _strip(self) -> None:
        """The selected answer in full, under the table: question, value, source, confidence, required."""
        f = self.current_field()
        out = Text()
        if f is not None:
            k = self._field_key(f)
            value = self.edits.get(k, f.get("value"))
            out.append("Q ", style="bold")
            out.append_text(lit(f.get("label") or k))
            out.append("\n= ", style="bold")
            if is_blank(value):
                out.append("(required, blank)" if f.get("required") else "(blank)",
                           "bold white on red" if f.get("required") else "dim")
            else:
                out.append_text(lit(value, "bold yellow" if k in self.edits else ""))
            if k in self.edits and not is_blank(f.get("value")):
                out.append("  was ", style="dim")
                out.append_text(lit(f.get("value"), "dim"))
            out.append("\n")
            conf = f.get("confidence")
            out.append("source ", style="bold")
            out.append_text(lit("operator edit" if k in self.edits else (f.get("source") or "none")))
            out.append(f"   confidence {'' if conf is None else f'{conf:.2f}'}", style="bold")
            out.append("   required" if f.get("required") else "   optional", style="bold red" if f.get("required") else "dim")
        if not self.query_one("#approval-side").display:
            docs = document_lines(self.detail or {})
            out.append("\ndocuments ", style="bold")
            out.append_text(lit(", ".join(f"{k} {v}" for k, v in docs) or "none"))
            out.append(f"   screenshots {len((self.detail or {}).get('screenshots') or [])} (o)", style="bold")
        self.query_one("#field-strip", Static).update(out)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._strip()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.app.readonly:  # type: ignore[attr-defined]
            self.notify("read-only console: editing answers is not allowed", severity="warning", markup=False)
            return
        self.action_edit()

    def _shot_paths(self) -> list[Path]:
        out = []
        for rel in (self.detail or {}).get("screenshots") or []:
            try:
                p = self.app.storage.plain(self.app.storage.resolve(rel))  # type: ignore[attr-defined]
            except Exception:
                continue
            if p.exists():
                out.append(p)
        return out

    def action_edit(self) -> None:
        field = self.current_field()
        if field is None:
            return
        key = self._field_key(field)
        current = self.edits.get(key, field.get("value") or "")

        def done(value: str | None) -> None:
            if value is None:
                return
            self.edits[key] = value
            self.show(self.detail)

        self.app.push_screen(PromptScreen(f"Edit answer: {field.get('label') or key}", str(current),
                                          note=lit(f"source: {field.get('source') or 'none'}")), done)

    def _after(self) -> None:
        self.app.pop_screen()

    def action_approve(self) -> None:
        approval_actions(self.app, self.key, self.edits, after=self._after)["approve"]()

    def action_reject(self) -> None:
        approval_actions(self.app, self.key, after=self._after)["reject"]()

    def action_open_screenshot(self) -> None:
        paths = self._shot_paths()
        if not paths:
            self.notify("no screenshots for this approval", markup=False)
            return
        a = (self.detail or {}).get("application") or {}
        self.app.push_screen(ScreenshotScreen(paths, len(paths) - 1, context={
            "what": f"approval {self.key}", "candidate": a.get("candidate"), "application_id": a.get("id"),
            "job": f"{a.get('title') or ''} at {a.get('company') or ''}" if a else None,
            "step": ((self.detail or {}).get("task") or {}).get("agent")}))
