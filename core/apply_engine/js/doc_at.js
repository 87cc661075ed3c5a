// A document by its iframe index path, and a control by its data-talvix-id (forms.py).
function docAt(path) {
  let doc = document;
  for (const i of path || []) {
    const f = doc.querySelectorAll('iframe')[i];
    let next = null;
    try { next = f ? f.contentDocument : null; } catch (e) { next = null; }
    if (!next) return null;
    doc = next;
  }
  return doc;
}
function byKey(key, path) {
  const doc = docAt(path); if (!doc) return null;
  const sel = '[data-talvix-id="' + key + '"]';
  return doc.querySelector(sel) || deepFind(doc, sel);
}
// Open shadow roots (web components such as SmartRecruiters' spl-input): the tree a control lives in, and
// controls found across every open shadow root, in the order they are drawn.
function rootOf(el) { return el.getRootNode ? el.getRootNode() : el.ownerDocument; }
function hostsIn(root) { return Array.from(root.querySelectorAll('*')).filter(e => e.shadowRoot); }
function deepAll(root, selector) {
  if (!hostsIn(root).length) return Array.from(root.querySelectorAll(selector));
  const out = [];
  (function walk(node) {
    for (let c = node.firstElementChild; c; c = c.nextElementSibling) {
      if (c.matches(selector)) out.push(c);
      if (c.shadowRoot) walk(c.shadowRoot);
      walk(c);
    }
  })(root);
  return out;
}
function deepFind(root, selector) {
  for (const h of hostsIn(root)) { const x = h.shadowRoot.querySelector(selector) || deepFind(h.shadowRoot, selector); if (x) return x; }
  return null;
}
// A choice drawn without an input: a yes/no button, or role=radio / role=checkbox on another element. It is
// chosen when it says so (aria-pressed, aria-checked); it says what it is in aria-label, else data-value.
function drawnChoice(el) {
  return el.tagName === 'BUTTON' || (el.tagName !== 'INPUT' && /^(radio|checkbox)$/.test(el.getAttribute('role') || ''));
}
function drawnChosen(el) { return el.getAttribute('aria-pressed') === 'true' || el.getAttribute('aria-checked') === 'true'; }
function drawnSays(el) {
  return (el.getAttribute('aria-label') || el.getAttribute('data-value') || el.getAttribute('data-answer-value')
          || el.innerText || el.textContent || '').replace(/[\s\u00a0]+/g, ' ').trim();
}
