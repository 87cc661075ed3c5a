"""The scripts the apply engine runs in the page, kept as JavaScript files (shipped as package data).

Each file is plain JavaScript run through WebDriver (``execute_script``/``execute_async_script``), so it
can be read, linted and diffed as JavaScript. :func:`script` returns a file's text (read once).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def script(name: str) -> str:
    """The text of ``core/apply_engine/js/<name>``."""
    return (files("core.apply_engine") / "js" / name).read_text(encoding="utf-8")
