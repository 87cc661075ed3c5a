"""A screenshot full screen, with save-as and copy-path (for a browser or an image viewer elsewhere)."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from core.browse import pages
from tui.keys import b
from tui.screens.dialogs import PromptScreen
from tui.widgets.halfblock import HalfBlockImage
from tui.widgets.screenshot import image_widget
from tui.widgets.status_line import StatusLine


def save_screenshot(app: object, source: Path) -> None:
    """Ask for a destination and copy the file there (audited)."""

    def chosen(value: str | None) -> None:
        if not value:
            return
        dest = Path(value).expanduser()
        if dest.is_dir():
            dest = dest / source.name

        def run() -> str:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
            pages.record_action(app.db, "save_screenshot", target_type="file",  # type: ignore[attr-defined]
                                 details={"from": str(source), "to": str(dest)}, who=app.who)  # type: ignore[attr-defined]
            return f"saved {dest}"

        app.act("save", run, write=False)  # type: ignore[attr-defined]

    default = str(Path.cwd() / source.name)
    app.push_screen(PromptScreen("Save screenshot as", default, placeholder="file or folder"), chosen)  # type: ignore[attr-defined]


def copy_path(app: object, source: Path) -> None:
    """Put the absolute path on the clipboard (OSC 52, works over SSH) and show it."""
    app.copy_to_clipboard(str(source))  # type: ignore[attr-defined]
    app.notify(f"copied path: {source}", markup=False)  # type: ignore[attr-defined]


class ScreenshotScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        b("s", "save", "Save as", id="screenshot.save"),
        b("c", "copy", "Copy path", id="screenshot.copy"),
        b("right,l", "step(1)", "Next", id="screenshot.next"),
        b("left,h", "step(-1)", "Previous", id="screenshot.prev"),
    ]

    def __init__(self, paths: list[Path], index: int = 0) -> None:
        super().__init__()
        self.paths = paths
        self.index = max(0, min(index, len(paths) - 1))

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield image_widget(self.paths[self.index] if self.paths else None, self.app.image_mode, id="image")  # type: ignore[attr-defined]
        yield Footer()

    def on_mount(self) -> None:
        self._caption()

    def _caption(self) -> None:
        path = self.paths[self.index] if self.paths else None
        self.query_one(StatusLine).show("Screenshot", f"{self.index + 1}/{len(self.paths)} {path.name if path else ''}")

    async def action_step(self, delta: int) -> None:
        if not self.paths:
            return
        self.index = (self.index + delta) % len(self.paths)
        old = self.query_one("#image")
        if isinstance(old, HalfBlockImage):
            old.set_path(self.paths[self.index])
            self._caption()
            return
        await old.remove()
        await self.mount(image_widget(self.paths[self.index], self.app.image_mode, id="image"), before=self.query_one(Footer))  # type: ignore[attr-defined]
        self._caption()

    def action_save(self) -> None:
        if self.paths:
            save_screenshot(self.app, self.paths[self.index])

    def action_copy(self) -> None:
        if self.paths:
            copy_path(self.app, self.paths[self.index])
