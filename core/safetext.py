"""Text from the outside world, made safe for a terminal.

Job titles, descriptions, form labels and error messages are shown literally: Rich markup in them is
never interpreted (wrap them in :func:`literal`, a ``rich.text.Text``), and ANSI/OSC escape sequences and
other control characters are removed so nothing from a web page can drive the operator's terminal.
"""

from __future__ import annotations

import re

from rich.text import Text

# CSI ... final byte, OSC ... BEL/ST, other ESC sequences, then any remaining C0/C1 control character.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"          # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"    # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]?"                   # other two-byte escapes, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"            # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(value: object, *, keep_newlines: bool = False) -> str:
    """Strip escape sequences and control characters; tabs become spaces."""
    text = "" if value is None else str(value)
    text = _ESCAPES.sub("", text)
    text = text.replace("\t", "    ")
    if not keep_newlines:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def literal(value: object, style: str = "", *, keep_newlines: bool = False, max_len: int | None = None) -> Text:
    """A Rich ``Text`` that shows ``value`` exactly (no markup), cleaned of control sequences."""
    text = clean(value, keep_newlines=keep_newlines)
    if max_len is not None and len(text) > max_len:
        text = text[: max(0, max_len - 1)] + "…"
    return Text(text, style=style)
