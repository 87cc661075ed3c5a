// Shared by late.js and settle.js (prepended in settle.py): the page's window and the windows of its
// same-origin iframes, two levels deep (a cross-origin frame cannot be read and is left out).
function frameWindows() {
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
