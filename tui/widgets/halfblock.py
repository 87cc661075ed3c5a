"""Images drawn with the upper-half-block character: two pixels per cell, works over any SSH session.

Each cell is ``▀`` with the upper pixel as foreground and the lower as background colour, so the
terminal only needs true colour (or its 256-colour approximation). Lines are built once per widget size
and cached; the widget draws only the lines on screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget


def halfblock_lines(image: Any, width: int, height: int) -> list[Strip]:
    """Scale a PIL image to fit ``width`` x ``height`` cells (keeping its aspect) and draw it."""
    from PIL import Image

    if width <= 0 or height <= 0:
        return []
    img = image.convert("RGB")
    iw, ih = img.size
    # A cell is about twice as tall as wide, and holds two pixel rows: one pixel per column, two per row.
    scale = min(width / iw, (height * 2) / ih)
    nw, nh = max(1, int(iw * scale)), max(2, int(ih * scale))
    nh -= nh % 2
    small = img.resize((nw, nh), Image.Resampling.BILINEAR)
    px = small.load()
    pad = (width - nw) // 2
    styles: dict[tuple[Any, Any], Style] = {}
    lines: list[Strip] = []
    for row in range(nh // 2):
        segs = [Segment(" " * pad)] if pad else []
        run_style: Style | None = None
        run = 0
        for x in range(nw):
            pair = (px[x, 2 * row], px[x, 2 * row + 1])
            style = styles.get(pair)
            if style is None:
                style = styles[pair] = Style(color=Color.from_rgb(*pair[0]), bgcolor=Color.from_rgb(*pair[1]))
            if style is run_style:
                run += 1
                continue
            if run_style is not None:
                segs.append(Segment("▀" * run, run_style))
            run_style, run = style, 1
        if run_style is not None:
            segs.append(Segment("▀" * run, run_style))
        lines.append(Strip(segs).extend_cell_length(width))
    return lines


class HalfBlockImage(Widget):
    """A PNG file shown with half-block characters; ``path`` None shows nothing."""

    DEFAULT_CSS = "HalfBlockImage { width: 1fr; height: 1fr; }"

    def __init__(self, path: Path | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self._path = path
        self._image: Any = None
        self._lines: list[Strip] = []
        self._for: tuple[int, int, Path | None] | None = None
        self.error: str | None = None

    @property
    def path(self) -> Path | None:
        return self._path

    def set_path(self, path: Path | None) -> None:
        if path != self._path:
            self._path = path
            self._image = None
            self._for = None
            self.refresh()

    def _load(self) -> Any:
        if self._image is None and self._path is not None:
            from PIL import Image, UnidentifiedImageError

            try:
                with Image.open(self._path) as im:
                    im.load()
                    self._image = im.copy()
                self.error = None
            except (OSError, UnidentifiedImageError) as exc:
                self.error = f"cannot read {self._path.name}: {type(exc).__name__}"
        return self._image

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (width, height, self._path)
        if self._for != key:
            image = self._load()
            self._lines = halfblock_lines(image, width, height) if image is not None else []
            self._for = key
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(width)
