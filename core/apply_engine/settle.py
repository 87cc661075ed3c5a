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

The wrappers keep the native behaviour (same arguments, ``this``, return values and ids); they only count.
Chromium under WebDriver announces itself anyway (``navigator.webdriver``), so they reveal nothing new.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from selenium.common.exceptions import WebDriverException

#: Timers longer than this are not waited for (a reminder banner in 30 s is not the form).
MAX_TIMER_MS = 2000
#: A timer scheduled from a timer callback counts for this many rounds, then a polling loop is ignored.
MAX_TIMER_CHAIN = 8

INSTRUMENT_JS = r"""
(() => {
  if (window.__talvixIdle) return;
  const st = {timers: 0, requests: 0, scripts: 0, changed: Date.now(), mutations: 0, seq: 0};
  const nativeSet = window.setTimeout, nativeClear = window.clearTimeout, nativeClearInterval = window.clearInterval;
  st.sleep = ms => new Promise(r => nativeSet.call(window, r, ms));
  Object.defineProperty(window, '__talvixIdle', {value: st, enumerable: false, configurable: false, writable: false});
  // Every pending thing gets a sequence number, so a caller can wait for what its own event started.
  const pending = new Map();  // seq -> 'timers' | 'requests' | 'scripts'
  const begin = kind => { st.seq += 1; pending.set(st.seq, kind); st[kind] += 1; return st.seq; };
  const end = seq => { const kind = pending.get(seq); if (kind) { pending.delete(seq); st[kind] -= 1; st.changed = Date.now(); } };
  st.newer = mark => { let n = 0; pending.forEach((kind, seq) => { if (seq > mark) n += 1; }); return n; };
  const timers = new Map();  // timer id -> seq
  let chain = 0;
  window.setTimeout = function (handler, delay) {
    if (typeof handler !== 'function' || (Number(delay) || 0) > __MAX_TIMER_MS__ || chain >= __MAX_CHAIN__) {
      return nativeSet.apply(this, arguments);
    }
    const depth = chain + 1;
    const args = Array.prototype.slice.call(arguments, 2);
    const seq = begin('timers');
    let id;
    const wrapped = function () {
      timers.delete(id);
      const saved = chain; chain = depth;
      try { return handler.apply(this, arguments); } finally { chain = saved; end(seq); }
    };
    id = nativeSet.call(this, wrapped, delay, ...args);
    timers.set(id, seq);
    return id;
  };
  const clear = id => { const seq = timers.get(id); if (seq !== undefined) { timers.delete(id); end(seq); } };
  window.clearTimeout = function (id) { clear(id); return nativeClear.apply(this, arguments); };
  window.clearInterval = function (id) { clear(id); return nativeClearInterval.apply(this, arguments); };
  if (window.fetch) {
    const nativeFetch = window.fetch;
    window.fetch = function () {
      const seq = begin('requests');
      let p;
      try { p = nativeFetch.apply(this, arguments); } catch (e) { end(seq); throw e; }
      p.then(() => end(seq), () => end(seq));
      return p;
    };
  }
  if (window.Response) {  // a fetched body read after the headers arrived is still part of the request
    for (const name of ['json', 'text', 'arrayBuffer', 'blob', 'formData']) {
      const native = window.Response.prototype[name];
      if (typeof native !== 'function') continue;
      window.Response.prototype[name] = function () {
        const seq = begin('requests');
        let p;
        try { p = native.apply(this, arguments); } catch (e) { end(seq); throw e; }
        p.then(() => end(seq), () => end(seq));
        return p;
      };
    }
  }
  if (window.XMLHttpRequest) {
    const proto = window.XMLHttpRequest.prototype, nativeSend = proto.send;
    proto.send = function () {
      const seq = begin('requests');
      this.addEventListener('loadend', () => end(seq));
      try { return nativeSend.apply(this, arguments); } catch (e) { end(seq); throw e; }
    };
  }
  const watchScript = s => {
    const type = (s.type || '').trim().toLowerCase();
    if (!s.src || s.noModule || s.__talvixSeen || (type && !/^(module|(text|application)\/(java|ecma)script)$/.test(type))) return;
    s.__talvixSeen = true;
    const seq = begin('scripts');
    s.addEventListener('load', () => end(seq)); s.addEventListener('error', () => end(seq));
  };
  new MutationObserver(records => {
    for (const r of records) {
      st.mutations += 1; st.changed = Date.now();
      if (r.type === 'childList') {
        r.addedNodes.forEach(n => { if (n.nodeType === 1 && n.tagName === 'SCRIPT') watchScript(n); });
      }
    }
  }).observe(document, {childList: true, subtree: true, attributes: true,
                        attributeFilter: ['hidden', 'disabled', 'aria-hidden', 'type']});
})();
""".replace("__MAX_TIMER_MS__", str(MAX_TIMER_MS)).replace("__MAX_CHAIN__", str(MAX_TIMER_CHAIN))

SETTLE_JS = r"""
const done = arguments[arguments.length - 1];
const quietMs = arguments[0], maxMs = arguments[1], capMs = arguments[2], minControls = arguments[3], selector = arguments[4];
const t0 = Date.now();
let tReady = null;  // when enough controls were first seen: from then on wait at most capMs for idle
const top = window.__talvixIdle;
const sleep = top && top.sleep ? top.sleep : (ms => new Promise(r => setTimeout(r, ms)));
// Without the instrumentation only DOM quiet can be seen: watch it from now on, and wait longer.
let ownChanged = Date.now();
const own = new MutationObserver(() => { ownChanged = Date.now(); });
if (!top) own.observe(document, {childList: true, subtree: true});
function windows() {
  const out = [];
  (function walk(w, depth) {
    out.push(w);
    if (depth >= 2) return;
    for (const f of Array.from(w.document.querySelectorAll('iframe'))) {
      let cw = null;
      try { cw = f.contentWindow && f.contentWindow.document ? f.contentWindow : null; } catch (e) { cw = null; }
      if (cw) walk(cw, depth + 1);
    }
  })(window, 0);
  return out;
}
function look() {
  const s = {loading: 0, timers: 0, requests: 0, scripts: 0, changed: top ? 0 : ownChanged, controls: 0, frames: 0};
  for (const w of windows()) {
    s.frames += 1;
    let doc;
    try { doc = w.document; } catch (e) { continue; }
    if (doc.readyState !== 'complete') s.loading += 1;
    s.controls += doc.querySelectorAll(selector).length;
    const i = w.__talvixIdle;
    if (i) { s.timers += i.timers; s.requests += i.requests; s.scripts += i.scripts; s.changed = Math.max(s.changed, i.changed); }
  }
  return s;
}
(async () => {
  const quiet = top ? quietMs : Math.max(quietMs, 400);
  while (true) {
    const s = look();
    const now = Date.now();
    const busy = s.loading + s.timers + s.requests + s.scripts;
    const ready = s.controls >= minControls;
    if (ready && tReady === null) tReady = now;
    if (!busy && ready && now - s.changed >= quiet && now - t0 >= (top ? 0 : quiet)) {
      own.disconnect();
      return {idle: true, waited_ms: now - t0, controls: s.controls, instrumented: !!top};
    }
    if (now - t0 >= maxMs || (tReady !== null && now - tReady >= capMs)) {
      own.disconnect();
      return {idle: false, waited_ms: now - t0, controls: s.controls, instrumented: !!top,
              pending: {loading: s.loading, timers: s.timers, requests: s.requests, scripts: s.scripts,
                        quiet_ms: now - s.changed}};
    }
    await sleep(20);
  }
})().then(done, e => done({idle: false, error: String(e), waited_ms: Date.now() - t0}));
"""

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
