// Wait in the page until it is idle (settle.settle).
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
function look() {
  const s = {loading: 0, timers: 0, requests: 0, scripts: 0, changed: top ? 0 : ownChanged, controls: 0, frames: 0};
  for (const w of frameWindows()) {
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
