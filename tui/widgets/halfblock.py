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
    if width <= 0 or height <= 0:
        return []
    iw, ih = image.size
    # A cell is about twice as tall as wide, and holds two pixel rows: one pixel per column, two per row.
    scale = min(width / iw, (height * 2) / ih)
    return _draw(image, max(1, int(iw * scale)), max(2, int(ih * scale)), width)


def width_lines(image: Any, width: int) -> list[Strip]:
    """Scale a PIL image to ``width`` cells wide (keeping its aspect, as tall as it comes out): the
    screenshot viewer pans over these lines vertically (and sideways when zoomed)."""
    if width <= 0:
        return []
    iw, ih = image.size
    return _draw(image, width, max(2, int(ih * width / iw)), width)


def _draw(image: Any, nw: int, nh: int, width: int) -> list[Strip]:
    from PIL import Image

    img = image.convert("RGB")
    nh -= nh % 2
    small = img.resize((nw, nh), Image.Resampling.BILINEAR)
    px = small.load()
    pad = max(0, (width - nw) // 2)
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


#: Zoom steps of the screenshot viewer (1: the whole width on screen).
ZOOMS = (1, 2, 3, 4)


class PannedImage(HalfBlockImage):
    """A screenshot fitted to the width, panned vertically (``j``/``k``, page keys) and, zoomed in,
    sideways: ``zoom`` 2 draws the image twice the width and shows the region around ``pan``.

    Zooming keeps the centre of what is on screen where it was, so ``z`` zooms into the region the
    operator is looking at. Lines are drawn once per (width, zoom, file) and cropped per frame.
    """

    def __init__(self, path: Path | None = None, **kw: Any) -> None:
        super().__init__(path, **kw)
        self.zoom = 1
        self.pan_x = 0
        self.pan_y = 0
        self._wfor: tuple[int, int, Path | None] | None = None

    def set_path(self, path: Path | None) -> None:
        if path != self._path:
            self.pan_x = self.pan_y = 0
            self._wfor = None
        super().set_path(path)

    def lines(self) -> list[Strip]:
        width = self.size.width
        key = (width, self.zoom, self._path)
        if self._wfor != key:
            image = self._load()
            self._lines = width_lines(image, width * self.zoom) if image is not None and width > 0 else []
            self._wfor = key
            self._clamp()
        return self._lines

    @property
    def rows(self) -> int:
        """How many lines the image is tall at this width and zoom."""
        return len(self.lines())

    def _clamp(self) -> None:
        width, height = self.size
        self.pan_y = max(0, min(self.pan_y, len(self._lines) - height))
        self.pan_x = max(0, min(self.pan_x, width * self.zoom - width))

    def pan(self, dx: int = 0, dy: int = 0) -> None:
        self.lines()
        self.pan_x += dx
        self.pan_y += dy
        self._clamp()
        self.refresh()

    def set_zoom(self, zoom: int) -> None:
        """Zoom to ``zoom`` (clamped to :data:`ZOOMS`) about the centre of what is on screen."""
        zoom = max(ZOOMS[0], min(ZOOMS[-1], zoom))
        if zoom == self.zoom:
            return
        width, height = self.size
        before = max(1, self.rows)
        cx = (self.pan_x + width / 2) / max(1, width * self.zoom)
        cy = (self.pan_y + height / 2) / before
        self.zoom = zoom
        after = self.rows
        self.pan_x = int(cx * width * zoom - width / 2)
        self.pan_y = int(cy * after - height / 2)
        self._clamp()
        self.refresh()

    def position(self) -> str:
        """Where the view sits: ``rows 1-20 of 96`` and, zoomed, the zoom and the columns shown."""
        width, height = self.size
        rows = self.rows
        if not rows:
            return ""
        out = f"rows {self.pan_y + 1}-{min(rows, self.pan_y + height)} of {rows}"
        if self.zoom > 1:
            full = width * self.zoom
            out += f", zoom {self.zoom}x (cols {self.pan_x + 1}-{self.pan_x + width} of {full})"
        return out

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines = self.lines()
        at = y + self.pan_y
        if at < len(lines):
            line = lines[at]
            return line.crop(self.pan_x, self.pan_x + width) if self.zoom > 1 else line
        return Strip.blank(width)
