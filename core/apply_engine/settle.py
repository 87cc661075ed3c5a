"""Knowing when a page has finished drawing its form, without polling from Python.

Forms arrive late: a single-page app renders after its bundle runs, a company form injects a question
from a timer, an ATS fetches its questions over XHR. Re-reading the fields until their count stops
changing costs a WebDriver round trip per look and still misses anything slower than the look itself.

Instead every new document (iframes included) gets :data:`INSTRUMENT_JS` before its own scripts run
(``Page.addScriptToEvaluateOnNewDocument``, installed once per browser by :class:`Browser`). It counts
what can still change the page: pending short timers (``setTimeout`` up to :data:`MAX_TIMER_MS`; a timer
that keeps re-arming itself stops counting after a few rounds, so a polling loop cannot hold us),
``fetch``/``XMLHttpRequest`` requests in flight (a fetched body until it has been read) and
``<script src>`` elements still loading, and it
stamps the time of the last structural DOM change (a ``MutationObserver``). :func:`settle` then runs one
``execute_async_script`` that resolves as soon as the document and its same-origin frames are
``complete``, nothing is pending and the DOM has been quiet for ``quiet_ms`` - or at ``max_s``, saying
what was still pending. A page without the instrumentation (a browser started elsewhere) falls back to
a longer quiet window watched by the same script.

Longer timers (up to :data:`LATE_TIMER_MS`) and ``setInterval`` loops never hold that wait: they are
counted apart, and :func:`settle_late` gives them until a few seconds after load before the form is read
for the last time and submitted (a question a slow script adds 3 s after load is not missed).

The wrappers keep the native behaviour (same arguments, ``this``, return values and ids); they only count.
Chromium under WebDriver announces itself anyway (``navigator.webdriver``), so they reveal nothing new.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from selenium.common.exceptions import WebDriverException

from core.apply_engine.js import script

#: Timers longer than this are not waited for (a reminder banner in 30 s is not the form).
MAX_TIMER_MS = 2000
#: A timer scheduled from a timer callback counts for this many rounds, then a polling loop is ignored.
MAX_TIMER_CHAIN = 8
#: Timers up to this long (and ``setInterval`` loops) are what :func:`settle_late` waits for before submit.
LATE_TIMER_MS = 10000

INSTRUMENT_JS = (script("instrument.js").replace("__MAX_TIMER_MS__", str(MAX_TIMER_MS))
                 .replace("__MAX_CHAIN__", str(MAX_TIMER_CHAIN)).replace("__LATE_TIMER_MS__", str(LATE_TIMER_MS)))
LATE_JS = script("frames.js") + script("late.js")

SETTLE_JS = script("frames.js") + script("settle.js")

#: Controls that make a form (the same set discovery reads).
CONTROLS = "input:not([type=hidden]),select,textarea,[role=combobox],[aria-haspopup=listbox]"


@dataclass
class Settled:
    """What :func:`settle` saw: idle or not, how long it waited, what was still pending at the limit."""

    idle: bool
    waited_s: float
    controls: int = 0
    instrumented: bool = False
    pending: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"idle": self.idle, "waited_s": round(self.waited_s, 3), "controls": self.controls,
                               "instrumented": self.instrumented}
        if self.pending:
            out["pending"] = self.pending
        return out


def install(driver: Any) -> None:
    """Instrument every document this browser opens from now on (one CDP command per browser)."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": INSTRUMENT_JS})


def settle(driver: Any, max_s: float, *, cap_s: float | None = None, quiet_ms: int = 80,
           min_controls: int = 0) -> Settled:
    """Wait in the page until it is idle (see the module docstring) and has ``min_controls`` controls.

    ``max_s`` bounds the whole wait; ``cap_s`` bounds the wait for idle once the controls are there (a page
    that never stops polling is read as it stands after ``cap_s``). Never raises: a navigation or a script error during the wait comes back as ``idle=False`` after the
    time spent, and the caller reads the page as it stands.
    """
    t0 = time.monotonic()
    max_ms = int(max(0.0, max_s) * 1000)
    cap_ms = max_ms if cap_s is None else int(max(0.0, min(cap_s, max_s)) * 1000)
    try:
        raw = driver.execute_async_script(SETTLE_JS, quiet_ms, max_ms, cap_ms, min_controls, CONTROLS) or {}
    except WebDriverException as exc:
        return Settled(False, time.monotonic() - t0, pending={"error": type(exc).__name__})
    pending = dict(raw.get("pending") or {})
    if raw.get("error"):
        pending["error"] = str(raw["error"])[:200]
    return Settled(bool(raw.get("idle")), time.monotonic() - t0, int(raw.get("controls") or 0),
                   bool(raw.get("instrumented")), pending)


def settle_late(driver: Any, until_s: float, *, quiet_ms: int = 300) -> dict[str, Any]:
    """Before submit: give a form that may still be drawing (a question from a timer longer than a short
    one, or from a ``setInterval`` poll) until ``until_s`` seconds after the page's navigation started.

    Returns at once on a page with no such timer or loop running (and DOM quiet for ``quiet_ms``); a page
    whose loop never stops (a clock, a chat widget's heartbeat) costs at most the rest of ``until_s``.
    ``{"waited_s", "late": bool, "slow": n, "intervals": n}``; never raises.
    """
    t0 = time.monotonic()
    try:
        raw = driver.execute_async_script(LATE_JS, int(until_s * 1000), quiet_ms) or {}
    except WebDriverException as exc:
        return {"waited_s": round(time.monotonic() - t0, 3), "late": False, "error": type(exc).__name__}
    raw["waited_s"] = round(time.monotonic() - t0, 3)
    return raw
