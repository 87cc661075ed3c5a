"""Screenshots full screen: fitted to the width, panned and zoomed, the values filled in beside them; save-as
and copy-path (for a browser or an image viewer elsewhere)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from core.browse import pages
from tui.keys import b
from tui.screens.dialogs import PromptScreen
from tui.screens.search import SEARCH_BINDINGS, TextSearch
from tui.text import lit
from tui.widgets.halfblock import HalfBlockImage, PannedImage
from tui.widgets.screenshot import image_widget, images_available
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


class _Pane(VerticalScroll, can_focus=False):
    """A scroll pane that never takes the focus (the screen's keys pan and zoom)."""


class ScreenshotScreen(TextSearch, Screen[None]):
    """Screenshots full screen: fitted to the width and panned vertically, zoomed into a region, with a
    title naming the session, candidate, job and step, and the values filled in beside the image.

    Half-blocks work over any SSH session; with the ``images`` extra (textual-image) and ``--images
    sixel|kitty|auto`` the terminal's own image protocol draws it. When half-blocks are used because
    the extra is missing (or not asked for), the console says so once.
    """

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        b("s", "save", "Save as", id="screenshot.save"),
        b("c", "copy", "Copy path", id="screenshot.copy"),
        b("right,l", "step(1)", "Next", id="screenshot.next"),
        b("left,h", "step(-1)", "Previous", id="screenshot.prev"),
        b("j,down", "pan(0,1)", "Pan down", id="screenshot.down", show=False),
        b("k,up", "pan(0,-1)", "Pan up", id="screenshot.up", show=False),
        b("pagedown,space", "page(1)", "Page down", id="screenshot.page_down", show=False),
        b("pageup", "page(-1)", "Page up", id="screenshot.page_up", show=False),
        b("H", "pan(-8,0)", "Pan left", id="screenshot.left", show=False),
        b("L", "pan(8,0)", "Pan right", id="screenshot.right", show=False),
        b("z,plus", "zoom(1)", "Zoom in", id="screenshot.zoom_in"),
        b("Z,minus", "zoom(-1)", "Zoom out", id="screenshot.zoom_out", show=False),
        b("g,home", "pan_home", "Top", id="screenshot.top", show=False, key_display="gg"),
        b("G,end", "pan_end", "Bottom", id="screenshot.bottom", show=False),
        b("v", "toggle_values", "Values", id="screenshot.values"),
        *SEARCH_BINDINGS,
    ]
    SEARCH_WHAT = "the filled values"

    def search_body(self) -> Static:
        return self.query_one("#shot-values-body", Static)

    def search_scroller(self) -> Widget:
        return self.query_one("#shot-values")

    def search_status(self) -> None:
        if self.is_mounted:
            self._caption()

    def __init__(self, paths: list[Path], index: int = 0, context: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.paths = paths
        self.index = max(0, min(index, len(paths) - 1))
        self.context = context or {}
        self.values: list[dict[str, Any]] | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield Static(id="shot-title")
        with Horizontal(id="shot-main"):
            with _Pane(id="shot-pane"):
                yield self._image(self.paths[self.index] if self.paths else None)
            with _Pane(id="shot-values"):
                yield Static(Text("filled values: loading", style="dim"), id="shot-values-body")
        yield Footer()

    def _image(self, path: Path | None) -> Widget:
        mode = self.app.image_mode  # type: ignore[attr-defined]
        widget = image_widget(path, mode, id="image", pannable=True)
        if isinstance(widget, HalfBlockImage):
            self._say_halfblocks(mode)
        return widget

    def _say_halfblocks(self, mode: str) -> None:
        app: Any = self.app
        if getattr(app, "halfblocks_said", False):
            return
        app.halfblocks_said = True
        why = ("the images extra is not installed (pip install 'talvix[images]')" if not images_available()
               else f"--images {mode}; --images auto uses the terminal's image protocol")
        app.notify(f"screenshots drawn with half-blocks: {why}", markup=False, timeout=8)

    def on_mount(self) -> None:
        self._caption()
        c = self.context
        # The answer sheet the apply task filled (its result), else the application's.
        key = f"task:{int(c['task_id'])}" if c.get("task_id") else (
            f"app:{int(c['application_id'])}" if c.get("application_id") else None)
        if key:
            app: Any = self.app
            app.fetch_then(lambda: pages.approval_detail(app.db, key, cipher=app.cipher), self._got_values)
        else:
            self._got_values(None)

    def on_resize(self) -> None:
        self.call_after_refresh(self._caption)

    def _got_values(self, detail: dict[str, Any] | None) -> None:
        self.values = list((detail or {}).get("fields") or [])
        self.show_text(filled_values(self.values))

    @property
    def image(self) -> Widget:
        return self.query_one("#image")

    def shot_title(self) -> str:
        """``session 12 · Asha Rao · Backend Engineer at Acme · step filling · 02-filling.png``."""
        c = self.context
        path = self.paths[self.index] if self.paths else None
        parts = [f"session {c['session']}" if c.get("session") else str(c.get("what") or "")]
        parts += [str(c[k]) for k in ("candidate", "job") if c.get(k)]
        step = shot_step(path) or c.get("step")
        if step:
            parts.append(f"step {step}")
        return " · ".join(p for p in parts if p)

    def _caption(self) -> None:
        image = self.image
        where = image.position() if isinstance(image, PannedImage) else f"zoom {self._zoom}x"
        if self.search:
            where = f"{where}  {self.search_said()}"
        path = self.paths[self.index] if self.paths else None
        self.query_one(StatusLine).show(f"Screenshot {self.index + 1}/{len(self.paths)} {path.name if path else ''}",
                                        where)
        self.query_one("#shot-title", Static).update(lit(self.shot_title(), "bold", max_len=400))

    async def action_step(self, delta: int) -> None:
        if not self.paths:
            return
        self.index = (self.index + delta) % len(self.paths)
        old = self.image
        if isinstance(old, HalfBlockImage):
            old.set_path(self.paths[self.index])
            self._caption()
            return
        await old.remove()
        await self.query_one("#shot-pane").mount(self._image(self.paths[self.index]))
        self._caption()

    _zoom = 1  # the zoom of an image drawn with the terminal's protocol (a width in the pane)

    def action_pan(self, dx: int, dy: int) -> None:
        image = self.image
        if isinstance(image, PannedImage):
            image.pan(dx, dy)
        else:
            pane = self.query_one("#shot-pane")
            pane.scroll_relative(dx, dy, animate=False)
        self._caption()

    def action_page(self, direction: int) -> None:
        self.action_pan(0, direction * max(1, self.image.size.height - 2))

    def action_pan_home(self) -> None:
        self.action_pan(-10**6, -10**6)

    def action_pan_end(self) -> None:
        self.action_pan(0, 10**6)

    def action_zoom(self, step: int) -> None:
        image = self.image
        if isinstance(image, PannedImage):
            image.set_zoom(image.zoom + step)
        else:
            self._zoom = max(1, min(4, self._zoom + step))
            image.styles.width = f"{100 * self._zoom}%"
        self._caption()

    def action_toggle_values(self) -> None:
        pane = self.query_one("#shot-values")
        pane.display = not pane.display
        self.call_after_refresh(self._caption)

    def action_save(self) -> None:
        if self.paths:
            save_screenshot(self.app, self.paths[self.index])

    def action_copy(self) -> None:
        if self.paths:
            copy_path(self.app, self.paths[self.index])


def shot_step(path: Path | None) -> str | None:
    """The step a screenshot was taken at, from its name (``02-filled.png`` -> ``filled``)."""
    if path is None:
        return None
    stem = path.stem
    head, _, rest = stem.partition("-")
    return rest if head.isdigit() and rest else None


def filled_values(fields: list[dict[str, Any]] | None) -> Text:
    """The answer sheet beside a screenshot: each question and what was filled in (blanks marked;
    a required blank stands out). Questions and values come from web pages: shown literally."""
    out = Text()
    out.append("filled values\n", style="bold")
    if not fields:
        out.append("none recorded for this application", style="dim")
        return out
    for f in fields:
        out.append_text(lit(f.get("label") or f.get("name") or "?", "bold", max_len=120))
        out.append("\n  ")
        value = f.get("value")
        if value is None or value == [] or (isinstance(value, str) and not value.strip()):
            out.append("(required, blank)" if f.get("required") else "(blank)",
                       style="bold white on red" if f.get("required") else "dim")
        else:
            out.append_text(lit(value, max_len=300))
        out.append("\n")
    return out
