// Helpers shared by the page scripts (forms.py): visibility, text, a person's event sequences, idle waits.
const norm = s => (s || '').replace(/[\s\u00a0]+/g, ' ').trim();
const CONTROL = 'input,select,textarea,[role=combobox],[role=listbox],[aria-haspopup=listbox]';
const winOf = el => el.ownerDocument.defaultView || window;
function sleep(ms) { const i = window.__talvixIdle; return i && i.sleep ? i.sleep(ms) : new Promise(r => setTimeout(r, ms)); }
function shown(el) {
  if (!el || !el.getBoundingClientRect) return false;
  const r = el.getBoundingClientRect(); const cs = winOf(el).getComputedStyle(el);
  return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
}
function ancestorsShown(el) {
  const root = el.ownerDocument.documentElement;
  for (let n = el.parentElement; n && n !== root; n = n.parentElement) {
    const cs = winOf(n).getComputedStyle(n); if (cs.display === 'none' || cs.visibility === 'hidden') return false;
  }
  return true;
}
function textOf(node) {
  const c = node.cloneNode(true);
  c.querySelectorAll('input,select,textarea,option,button,script,style,template,[role=listbox],[role=option],[aria-hidden=true],.visually-hidden-error').forEach(x => x.remove());
  const parts = []; const w = node.ownerDocument.createTreeWalker(c, 4);
  while (w.nextNode()) parts.push(w.currentNode.textContent);
  return norm(parts.join(' '));
}
function fire(el, type, extra) {
  const win = winOf(el); const r = el.getBoundingClientRect();
  const init = Object.assign({bubbles: true, cancelable: true, composed: true, view: win, button: 0,
                              buttons: /down$/.test(type) ? 1 : 0, clientX: r.left + r.width / 2,
                              clientY: r.top + r.height / 2}, extra || {});
  const Ctor = /^pointer/.test(type) ? win.PointerEvent : (/^key/.test(type) ? win.KeyboardEvent : win.MouseEvent);
  return el.dispatchEvent(new Ctor(type, init));
}
// The events a person's click produces, in order; focus follows an uncancelled mousedown as in a browser.
function clickLike(el) {
  el.scrollIntoView({block: 'center'});
  fire(el, 'pointerdown', {pointerType: 'mouse', isPrimary: true});
  if (fire(el, 'mousedown')) { const f = el.closest('input,select,textarea,button,[tabindex],a[href]') || el; if (f.focus) f.focus(); }
  fire(el, 'pointerup', {pointerType: 'mouse', isPrimary: true});
  fire(el, 'mouseup');
  fire(el, 'click', {detail: 1});
}
function visibleOptions(doc, selector) { return Array.from(doc.querySelectorAll(selector)).filter(shown); }
function optionText(o) { return norm(o.innerText || o.textContent); }
function ownedOptions(el) {
  const doc = rootOf(el); const lists = [];
  for (const attr of ['aria-controls', 'aria-owns']) {
    const v = el.getAttribute(attr); if (v) v.split(/\s+/).forEach(id => { const x = doc.getElementById(id); if (x) lists.push(x); });
  }
  if (el.matches('[role=listbox]')) lists.push(el);
  el.querySelectorAll('[role=listbox]').forEach(x => lists.push(x));
  const out = [];
  for (const l of lists) l.querySelectorAll('[role=option]').forEach(o => { if (!out.includes(o)) out.push(o); });
  return out;
}
function closeMenu(el) {
  const doc = rootOf(el); const target = doc.activeElement && doc.activeElement !== el.ownerDocument.body ? doc.activeElement : el;
  fire(target, 'keydown', {key: 'Escape', code: 'Escape'}); fire(target, 'keyup', {key: 'Escape', code: 'Escape'});
  if (target.blur) target.blur();
}
// Let the page finish reacting to our event: the short timers and requests it started since ``mark``
// are done (see settle.py; older ones, a long poll for instance, are not ours to wait for), capped.
function mark(doc) { const i = (doc.defaultView || window).__talvixIdle; return i ? i.seq : 0; }
async function calm(doc, since, ms) {
  const i = (doc.defaultView || window).__talvixIdle;
  const t0 = Date.now();
  await sleep(0);
  while (i && i.newer(since) && Date.now() - t0 < ms) await sleep(10);
}
// Options shown for this control: in the listbox it controls when it says which, else anywhere visible.
function menuOptions(el, selector) {
  const doc = el.ownerDocument;
  for (const attr of ['aria-controls', 'aria-owns']) {
    const v = el.getAttribute(attr);
    if (!v) continue;
    const lists = v.split(/\s+/).map(id => rootOf(el).getElementById(id)).filter(Boolean);
    const own = [];
    lists.forEach(l => l.querySelectorAll(selector).forEach(o => { if (shown(o)) own.push(o); }));
    if (own.length) return own;
  }
  return visibleOptions(doc, selector);
}
async function waitFor(fn, ms) {
  const t0 = Date.now(); let v = fn();
  while (!v && Date.now() - t0 < ms) { await sleep(16); v = fn(); }
  return v;
}
// What a menu shows instead of options while it loads or waits for typing: "Loading...", "Searching…",
// "Type to search", "No options". Never an option to read or choose (nor is an aria-disabled one).
const NOTICE = /^(loading|searching|please wait|fetching|type\b|start typing|enter \d+|no (options|results|matches)|nothing found)/i;
const LOADING = /^(loading|searching|please wait|fetching)/i;
const TYPE_TO_SEARCH = /^(type\b|start typing|enter \d+)/i;
//: A menu that says it is loading (or whose fetch/timer, started by our event, is pending) is waited for at most this long.
const LOAD_CAP_MS = 4000;
// A listbox's placeholder ("Choose", "Select...") that posts nothing (data-value="") is no option either.
const PLACEHOLDER = /^(choose|select|please (choose|select)|--)/i;
function realOptions(list) {
  return list.filter(o => o.getAttribute('aria-disabled') !== 'true' && !NOTICE.test(optionText(o))
                          && !(o.getAttribute('data-value') === '' && PLACEHOLDER.test(optionText(o))));
}
function menuNotice(doc) {
  for (const x of doc.querySelectorAll('[role=option], [class*=menu-notice], [class*=loading], [aria-busy=true], [class*=results__message]')) {
    if (!shown(x)) continue;
    if (x.getAttribute('aria-busy') === 'true') return 'loading';
    const t = optionText(x);
    if (NOTICE.test(t)) return t;
  }
  return '';
}
// fn() once it gives something; options that load late are polled for: up to ``quietMs`` when nothing
// is happening, up to LOAD_CAP_MS while the menu says it is loading or what our event started is pending;
// at once null when the menu asks to be typed into.
async function waitLoaded(doc, fn, since, quietMs) {
  const t0 = Date.now(); const i = (doc.defaultView || window).__talvixIdle;
  for (;;) {
    const v = fn(); if (v) return v;
    const t = Date.now() - t0, notice = menuNotice(doc);
    if (t >= LOAD_CAP_MS || TYPE_TO_SEARCH.test(notice)) return null;
    if (t >= quietMs && !LOADING.test(notice) && !(i && i.newer(since))) return null;
    await sleep(16);
  }
}
// Options of a custom dropdown: the ones it owns (a hidden listbox), else open it, read, close it.
// Options that load late are waited for (waitLoaded) and read once the list holds still; a menu that
// only searches once typed into gives 'search' (the field is then filled like an autocomplete).
async function comboOptions(el, selector) {
  const owned = realOptions(ownedOptions(el)).map(optionText).filter(Boolean);
  if (owned.length) return owned;
  const doc = el.ownerDocument;
  let m = mark(doc);
  clickLike(el);
  await calm(doc, m, 300);
  // an autocomplete shows nothing until typed into: do not wait long for a menu it will not open
  const wait = /list|both/.test(el.getAttribute('aria-autocomplete') || '') ? 300 : 1000;
  const current = () => { const v = realOptions(menuOptions(el, selector)); return v.length ? v : null; };
  let found = await waitLoaded(doc, current, m, wait) || [];
  const search = !found.length && TYPE_TO_SEARCH.test(menuNotice(doc));
  for (let still = 0, t0 = Date.now(); found.length && still < 2 && Date.now() - t0 < 1000;) {  // a list still growing
    await sleep(16);
    const now = current() || [];
    if (now.length === found.length && !LOADING.test(menuNotice(doc))) still += 1; else { still = 0; found = now; }
  }
  const texts = found.map(optionText).filter(Boolean);
  m = mark(doc);
  closeMenu(el);
  await calm(doc, m, 300);
  if (visibleOptions(doc, selector).length) {  // a toggle that ignores Escape
    m = mark(doc); clickLike(el); await calm(doc, m, 300); if (el.blur) el.blur();
  }
  return search ? 'search' : texts;
}
