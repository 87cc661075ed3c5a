"""One approval: the answer sheet field by field, edits, documents, screenshots; approve or reject."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from core.browse import pages
from tui.keys import APPROVAL_DETAIL_BINDINGS, WRITE_ACTIONS
from tui.screens.approvals import approval_actions
from tui.screens.base import Fetching
from tui.screens.dialogs import PromptScreen
from tui.screens.screenshot import ScreenshotScreen
from tui.text import lit
from tui.widgets.halfblock import HalfBlockImage
from tui.widgets.keyed_table import KeyedTable
from tui.widgets.status_line import StatusLine


class ApprovalDetailScreen(Fetching, Screen[None]):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back", id="back"), *APPROVAL_DETAIL_BINDINGS]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.detail: dict[str, Any] | None = None
        self.edits: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield Static(id="approval-reason")
        with Horizontal(id="approval-main"):
            yield KeyedTable([("label", "field", 24), ("value", "value", 24), ("source", "source", 18),
                              ("conf", "conf", 5), ("req", "req", 3)], id="fields")
            with Vertical(id="approval-side"):
                yield Static(id="approval-docs")
                yield HalfBlockImage(id="approval-shot")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(StatusLine).show(f"Approval {self.key}", "loading")
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
        app = data.get("application") or {}
        title = f"{app.get('title') or ''} · {app.get('company') or ''}" if app else ""
        self.query_one(StatusLine).show(f"Approval {self.key}", f"{app.get('candidate') or ''} → {title}",
                                        flags=[f"{len(self.edits)} edited"] if self.edits else [])
        reason = Text()
        if data.get("reason"):
            reason.append("why: ", style="bold")
            reason.append_text(lit(data["reason"], "magenta"))
        self.query_one("#approval-reason", Static).update(reason)
        rows = []
        for f in data["fields"]:
            k = self._field_key(f)
            edited = k in self.edits
            value = self.edits[k] if edited else f.get("value")
            conf = f.get("confidence")
            rows.append((k, (
                lit(f.get("label") or k, max_len=24),
                lit(value if value not in (None, "") else "(blank)", "bold yellow" if edited else
                    ("red" if conf is not None and conf < 0.5 else ""), max_len=60),
                lit("operator edit" if edited else (f.get("source") or ""), max_len=18),
                Text("" if conf is None else f"{conf:.2f}"),
                Text("*" if f.get("required") else ""),
            )))
        self.query_one("#fields", KeyedTable).sync(rows)
        docs = Text()
        for kind, d in (data.get("documents") or {}).items():
            docs.append(f"{kind}: ", style="bold")
            docs.append_text(lit(d.get("path") if isinstance(d, dict) else d, max_len=60))
            docs.append("\n")
        shots = data.get("screenshots") or []
        docs.append(f"screenshots: {len(shots)} (o opens)\n", style="bold")
        self.query_one("#approval-docs", Static).update(docs)
        paths = self._shot_paths()
        self.query_one("#approval-shot", HalfBlockImage).set_path(paths[-1] if paths else None)

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
        table = self.query_one("#fields", KeyedTable)
        key = table.cursor_key
        if key is None or not self.detail:
            return
        field = next((f for f in self.detail["fields"] if self._field_key(f) == key), None)
        if field is None:
            return
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
        self.app.push_screen(ScreenshotScreen(paths, len(paths) - 1))
