"""The screenshot viewer: half-block by default; sixel or kitty graphics when asked for and installed.

``talvix console --images sixel|kitty|auto`` uses the optional ``textual-image`` extra
(``pip install talvix[images]``); without it, or over a plain SSH session, half-blocks always work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widget import Widget

from tui.widgets.halfblock import HalfBlockImage

IMAGE_MODES = ("halfblock", "sixel", "kitty", "auto")


def image_widget(path: Path | None, mode: str = "halfblock", **kw: Any) -> Widget:
    """A widget showing ``path`` with the requested protocol, falling back to half-blocks."""
    if mode != "halfblock" and path is not None:
        try:
            from textual_image import widget as ti
        except ImportError:
            return HalfBlockImage(path, **kw)
        cls = {"sixel": ti.SixelImage, "kitty": ti.TGPImage, "auto": ti.Image}[mode]
        return cls(str(path), **kw)
    return HalfBlockImage(path, **kw)
