// Installed before every document's own scripts: counts pending timers, requests and scripts (settle.py).
(() => {
  if (window.__talvixIdle) return;
  // slow: timers longer than a short one but at most __LATE_TIMER_MS__ ms still to fire; intervals: setInterval
  // loops still running. Neither holds the idle wait; they are what settle_late() waits for before submit.
  const st = {timers: 0, requests: 0, scripts: 0, changed: Date.now(), mutations: 0, seq: 0, slow: 0, intervals: 0};
  const nativeSet = window.setTimeout, nativeClear = window.clearTimeout, nativeClearInterval = window.clearInterval;
  const nativeInterval = window.setInterval;
  const slowIds = new Set(), intervalIds = new Set();
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
    const ms = Number(delay) || 0;
    if (typeof handler === 'function' && ms > __MAX_TIMER_MS__ && ms <= __LATE_TIMER_MS__) {
      const args = Array.prototype.slice.call(arguments, 2);
      let sid;
      const fire = function () { if (slowIds.delete(sid)) st.slow -= 1; return handler.apply(this, arguments); };
      sid = nativeSet.call(this, fire, delay, ...args);
      slowIds.add(sid); st.slow += 1;
      return sid;
    }
    if (typeof handler !== 'function' || ms > __MAX_TIMER_MS__ || chain >= __MAX_CHAIN__) {
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
  const clear = id => {
    const seq = timers.get(id); if (seq !== undefined) { timers.delete(id); end(seq); }
    if (slowIds.delete(id)) st.slow -= 1;
    if (intervalIds.delete(id)) st.intervals -= 1;
  };
  window.setInterval = function () {
    const id = nativeInterval.apply(this, arguments);
    intervalIds.add(id); st.intervals += 1;
    return id;
  };
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
