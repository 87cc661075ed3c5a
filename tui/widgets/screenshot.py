"""The screenshot viewer: half-block by default; sixel or kitty graphics when asked for and installed.

``talvix console --images sixel|kitty|auto`` uses the optional ``textual-image`` extra
(``pip install talvix[images]``); without it, or over a plain SSH session, half-blocks always work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widget import Widget

from tui.widgets.halfblock import HalfBlockImage, PannedImage

IMAGE_MODES = ("halfblock", "sixel", "kitty", "auto")


def images_available() -> bool:
    """Whether the ``images`` extra (textual-image) is installed."""
    import importlib.util

    return importlib.util.find_spec("textual_image") is not None


def image_widget(path: Path | None, mode: str = "halfblock", *, pannable: bool = False, **kw: Any) -> Widget:
    """A widget showing ``path`` with the requested protocol, falling back to half-blocks
    (:class:`PannedImage`, fitted to the width, when ``pannable``)."""
    half = PannedImage if pannable else HalfBlockImage
    if mode != "halfblock" and path is not None:
        try:
            from textual_image import widget as ti
        except ImportError:
            return half(path, **kw)
        cls = {"sixel": ti.SixelImage, "kitty": ti.TGPImage, "auto": ti.Image}[mode]
        widget: Widget = cls(str(path), **kw)
        widget.styles.width = "100%"
        widget.styles.height = "auto"  # fitted to the width, as tall as its aspect makes it
        return widget
    return half(path, **kw)
