// Before submit: wait for slow timers and setInterval loops, until a time after navigation start (settle.settle_late).
const done = arguments[arguments.length - 1];
const untilMs = arguments[0], quietMs = arguments[1];
const t0 = Date.now();
const top = window.__talvixIdle;
const sleep = top && top.sleep ? top.sleep : (ms => new Promise(r => setTimeout(r, ms)));
function look() {
  const s = {slow: 0, intervals: 0, changed: 0};
  for (const w of frameWindows()) {
    const i = w.__talvixIdle;
    if (i) { s.slow += i.slow || 0; s.intervals += i.intervals || 0; s.changed = Math.max(s.changed, i.changed); }
  }
  return s;
}
(async () => {
  if (!top) return {late: false, instrumented: false};
  let s = look();
  if (!s.slow && !s.intervals) return {late: false, slow: 0, intervals: 0};
  const first = s;
  while (performance.now() < untilMs) {
    s = look();
    if (!s.slow && !s.intervals && Date.now() - s.changed >= quietMs) break;
    await sleep(50);
  }
  return {late: true, slow: first.slow, intervals: first.intervals, left: {slow: s.slow, intervals: s.intervals}};
})().then(done, e => done({late: false, error: String(e)}));
