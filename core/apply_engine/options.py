"""Mapping an answer onto a form's own options: exact text, yes/no, numbers into ranges, close text.

Shared by the answer sheet (:mod:`core.apply_engine.answers`) and the fillers (:mod:`core.apply_engine.forms`,
which choose a custom dropdown's option in the page). Nothing here guesses: no option that says the value
means no answer.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

_DECLINE = re.compile(r"decline|prefer not|don.?t wish|do not wish|not (to )?(answer|disclose|say|specify)|"
                      r"rather not|choose not|not wish|i don.?t want", re.I)
_YES = re.compile(r"^(yes|y|true|i am\b|i do\b|i will\b|i have\b|i can\b|authori[sz]ed|agree|i agree)", re.I)
_NO = re.compile(r"^(no|n|false|i am not|i do not|i don.?t|i will not|i won.?t|i have not|not\b|none)", re.I)

# --------------------------------------------------------------------------------------------------
# Option matching
# --------------------------------------------------------------------------------------------------
def _n(text: Any) -> str:
    return re.sub(r"[^a-z0-9+]+", " ", str(text).lower()).strip()


def _days(text: str) -> float | None:
    t = text.lower()
    if re.search(r"immediate|right away|now|asap", t):
        return 0.0
    m = re.search(r"(\d+(?:\.\d+)?)\s*(day|week|month)", t)
    if not m:
        return None
    n = float(m.group(1))
    return n * {"day": 1, "week": 7, "month": 30}[m.group(2)]


def _range_of(text: str) -> tuple[float, float] | None:
    t = text.lower()
    if m := re.search(r"(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)", t):
        return float(m.group(1)), float(m.group(2))
    if m := re.search(r"(\d+(?:\.\d+)?)\s*\+|(?:more than|over|at least|above)\s*(\d+(?:\.\d+)?)", t):
        return float(m.group(1) or m.group(2)), float("inf")
    if m := re.search(r"(?:less than|under|below|fewer than)\s*(\d+(?:\.\d+)?)", t):
        return 0.0, float(m.group(1)) - 1e-9
    if m := re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(years?|yrs?)?\s*", t):
        return float(m.group(1)), float(m.group(1))
    return None


def best_option(value: Any, options: list[str]) -> str | None:
    """The option that says ``value``: exact, then yes/no, numbers in ranges, then close text. None if none."""
    if not options:
        return None
    if isinstance(value, bool):
        pattern = _YES if value else _NO
        hits = [o for o in options if pattern.search(o.strip())]
        return hits[0] if hits else None
    text = _n(value)
    if not text:
        return None
    for o in options:
        if _n(o) == text:
            return o
    if text in ("yes", "no"):
        return best_option(text == "yes", options)
    if isinstance(value, (int, float)) or re.fullmatch(r"\d+(\.\d+)?", text):
        num = float(value) if isinstance(value, (int, float)) else float(text)
        for o in options:
            r = _range_of(o)
            if r and r[0] <= num <= r[1]:
                return o
        return None
    starts = [o for o in options if _n(o).startswith(text) or text.startswith(_n(o))]
    if len(starts) == 1:
        return starts[0]
    contains = [o for o in options if text in _n(o)]
    if len(contains) == 1:
        return contains[0]
    scored = sorted(((SequenceMatcher(None, text, _n(o)).ratio(), o) for o in options), reverse=True)
    if scored and scored[0][0] >= 0.8:
        return scored[0][1]
    return None


def decline_option(options: list[str]) -> str | None:
    hits = [o for o in options if _DECLINE.search(o)]
    return hits[0] if hits else None


def _similar(a: str, b: str) -> float:
    a, b = _n(a), _n(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ta, tb = set(a.split()), set(b.split())
    jacc = len(ta & tb) / len(ta | tb)
    return max(SequenceMatcher(None, a, b).ratio(), jacc)
