"""Reading and filling form controls in a live page: the part every adapter shares.

Selenium round trips are the slow part of browser work, so each job here is one script per document.
Discovery tags every control with ``data-talvix-id`` and returns its label, type, required flag and
options, for the page and its same-origin iframes at once (only cross-origin frames need a WebDriver
switch). Labels come, in order, from ``aria-labelledby``, ``<label for>`` or a wrapping label,
``aria-label``, nearby text (previous siblings and parents' own text), then placeholder or title. Radios
and checkboxes sharing a name are one question. Discovery runs once the page is idle
(:mod:`core.apply_engine.settle`), so content that appears after load is not missed.

Filling has two paths: :func:`fill_many` (one script per document, events as frameworks expect them)
and :func:`fill` (real typing and clicks through WebDriver), which the engine uses for whatever the first
did not keep. :func:`read_values` reads everything back in one call.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from core.apply_engine.settle import Settled, settle

TEXT_TYPES = ("text", "email", "tel", "url", "number", "date", "textarea", "password")
CHOICE_TYPES = ("select", "radio", "combobox", "checkboxes")


@dataclass
class FormField:
    """One question on the form, however the page draws it."""

    key: str  # data-talvix-id of the control (first control of a radio/checkbox group)
    label: str
    name: str = ""
    type: str = "text"  # text|email|tel|url|number|date|textarea|select|radio|checkbox|checkboxes|file|combobox
    required: bool = False
    options: list[str] = field(default_factory=list)
    option_keys: list[str] = field(default_factory=list)  # data-talvix-id per radio/checkbox option
    frame: list[int] = field(default_factory=list)  # iframe index path from the top document
    via: list[int] = field(default_factory=list)  # the part of ``frame`` WebDriver must switch to (cross-origin)
    placeholder: str = ""
    hint: str = ""  # description text near the question, for matching only
    role: str = ""  # adapter hint: resume, cover_letter, decoy, declaration, full_name...
    input_type: str = ""
    multiple: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Helpers shared by the page scripts below. Every function works on the element's own document and
#: window, so one script can read and fill same-origin iframes without a WebDriver frame switch.
PAGE_LIB = r"""
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
  const doc = el.ownerDocument; const lists = [];
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
  const doc = el.ownerDocument; const target = doc.activeElement && doc.activeElement !== doc.body ? doc.activeElement : el;
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
    const lists = v.split(/\s+/).map(id => doc.getElementById(id)).filter(Boolean);
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
// Options of a custom dropdown: the ones it owns (a hidden listbox), else open it, read, close it.
async function comboOptions(el, selector) {
  const owned = ownedOptions(el).map(optionText).filter(Boolean);
  if (owned.length) return owned;
  const doc = el.ownerDocument;
  let m = mark(doc);
  clickLike(el);
  await calm(doc, m, 300);
  // an autocomplete shows nothing until typed into: do not wait long for a menu it will not open
  const wait = /list|both/.test(el.getAttribute('aria-autocomplete') || '') ? 300 : 1000;
  const found = await waitFor(() => { const v = menuOptions(el, selector); return v.length ? v : null; }, wait) || [];
  const texts = found.map(optionText).filter(Boolean);
  m = mark(doc);
  closeMenu(el);
  await calm(doc, m, 300);
  if (visibleOptions(doc, selector).length) {  // a toggle that ignores Escape
    m = mark(doc); clickLike(el); await calm(doc, m, 300); if (el.blur) el.blur();
  }
  return texts;
}
"""

DISCOVER_JS = PAGE_LIB + r"""
const opts = arguments[0] || {};
const base = opts.base || [];
const remote = [];
function byIds(doc, ids) { return norm(ids.split(/\s+/).map(i => { const e = doc.getElementById(i); return e ? textOf(e) : ''; }).join(' ')); }
function nearby(el) {
  const doc = el.ownerDocument; let n = el;
  for (let depth = 0; depth < 6 && n && n !== doc.body; depth++) {
    for (let s = n.previousElementSibling; s; s = s.previousElementSibling) {
      if (s.matches(CONTROL) || s.querySelector(CONTROL)) { s = null; break; }
      if (s.matches('button,a,[role=button],script,style,template')) continue;
      const t = textOf(s); if (t && t.length < 400) return t;
    }
    n = n.parentElement;
    if (n) {
      const own = norm(Array.from(n.childNodes).filter(c => c.nodeType === 3).map(c => c.textContent).join(' '));
      if (own) return own;
      if (n.matches('form,body,[role=form],main')) break;
    }
  }
  return '';
}
function labelOf(el) {
  const doc = el.ownerDocument; let t = '';
  const lb = el.getAttribute('aria-labelledby'); if (lb) t = byIds(doc, lb);
  if (!t && el.labels && el.labels.length) t = norm(Array.from(el.labels).map(textOf).join(' '));
  if (!t && el.id) { try { const l = doc.querySelector('label[for="' + CSS.escape(el.id) + '"]'); if (l) t = textOf(l); } catch (e) {} }
  if (!t) t = norm(el.getAttribute('aria-label'));
  if (/^(attach|upload( a)?( file)?|browse|choose( a)? file|select( a)? file)$/i.test(t)) {
    const g = el.closest('[role=group][aria-labelledby]');
    t = g ? byIds(doc, g.getAttribute('aria-labelledby')) : (nearby(el.closest('label') || el) || t);
  }
  if (!t) t = nearby(el);
  if (!t) t = norm(el.getAttribute('placeholder') || el.getAttribute('title'));
  return t;
}
function groupLabel(members) {
  const doc = members[0].ownerDocument;
  let c = members[0].parentElement;
  while (c && !members.every(m => c.contains(m))) c = c.parentElement;
  const fs = members[0].closest('fieldset');
  if (fs && members.every(m => fs.contains(m))) { const lg = fs.querySelector('legend'); if (lg && textOf(lg)) return [textOf(lg), fs, [lg]]; }
  const rg = members[0].closest('[role=radiogroup],[role=group],[aria-labelledby]:not(input):not(button)');
  if (rg && members.every(m => rg.contains(m))) {
    const l = rg.getAttribute('aria-labelledby'); const t = l ? byIds(doc, l) : norm(rg.getAttribute('aria-label'));
    if (t) return [t, rg, l ? l.split(/\s+/).map(i => doc.getElementById(i)).filter(Boolean) : []];
  }
  // the question written inside the group's own box, before its first option ("<p>Do you ...?</p>")
  if (c) {
    for (const ch of Array.from(c.children)) {
      if (ch.contains(members[0])) break;
      if (ch.matches('[role=alert],.error,.err,[class*=error],[class*=help],[class*=hint],label') || ch.querySelector(CONTROL)) continue;
      const t = textOf(ch); if (t && t.length < 300) return [t, c, [ch]];
    }
  }
  return [c ? (nearby(c) || '') : '', c, []];
}
function groupRequired(members, glabel, box, els) {
  if (members.some(m => m.required || m.getAttribute('aria-required') === 'true')) return true;
  for (let n = box; n && n !== n.ownerDocument.body; n = n.parentElement) {
    if (n.getAttribute && n.getAttribute('aria-required') === 'true') return true;
    if (n.matches && n.matches('form')) break;
  }
  return saysRequired(glabel) || els.some(starred);
}
// What stands right after the control in its box ("LPA", "years", "INR"): the unit of a number.
function suffixOf(el) {
  const s = el.nextElementSibling;
  if (s && !s.matches(CONTROL) && !s.querySelector(CONTROL)) { const t = textOf(s); if (t && t.length <= 16) return t; }
  return '';
}
// The elements that carry the question's text (for its asterisk, drawn in text, in an aria-hidden span
// or by a CSS ::after rule, as many ATSs do).
function labelEls(el) {
  const doc = el.ownerDocument; const out = [];
  const lb = el.getAttribute('aria-labelledby');
  if (lb) lb.split(/\s+/).forEach(i => { const e = doc.getElementById(i); if (e) out.push(e); });
  if (el.labels) Array.from(el.labels).forEach(l => out.push(l));
  if (el.id) { try { const l = doc.querySelector('label[for="' + CSS.escape(el.id) + '"]'); if (l && !out.includes(l)) out.push(l); } catch (e) {} }
  return out;
}
const STAR = /[*\u2731\u2217]\s*$/;
function starred(e) {
  if (!e) return false;
  if (STAR.test(norm(e.textContent))) return true;
  const win = winOf(e);
  for (const n of [e].concat(Array.from(e.querySelectorAll('span,abbr,sup,strong,b,i')))) {
    if (n !== e && /^[*\u2731\u2217]$/.test(norm(n.textContent))) return true;
    for (const pseudo of ['::after', '::before']) {
      const c = win.getComputedStyle(n, pseudo).content;
      if (c && c !== 'none' && c !== 'normal' && /\*|\u2731/.test(c)) return true;
    }
  }
  return false;
}
function saysRequired(text) { return STAR.test(text) || /\(required\)|\brequired\b\s*$|\bmandatory\b\s*$/i.test(text); }
function requiredOf(el, label, els) {
  if (el.required || el.getAttribute('aria-required') === 'true') return true;
  if (saysRequired(label)) return true;
  if ((els || labelEls(el)).some(starred)) return true;
  // the hidden required twin of a custom control (react-select and friends keep one beside the input)
  const box = el.parentElement;
  if (box && box.querySelectorAll) {
    for (const x of box.querySelectorAll('[required],[aria-required=true]')) {
      if (x !== el && !x.matches('input[type=file],input[type=checkbox],input[type=radio]') && (x.type === 'hidden' || !shown(x))) return true;
    }
  }
  return false;
}
function cleanLabel(t) {
  return norm(t.replace(/\((required|optional|mandatory)\)/ig, ' ').replace(/[*\u2731\u2217]+/g, ' ')).replace(/\s+([?.:,])$/, '$1');
}
// A control a person cannot see or reach: an off-screen or clipped honeypot, or one inside aria-hidden.
function trap(el) {
  if (el.closest('[aria-hidden=true]')) return true;
  const win = winOf(el); const r = el.getBoundingClientRect();
  if (r.right + win.scrollX <= 0 || r.bottom + win.scrollY <= 0) return true;
  if (r.left + win.scrollX >= el.ownerDocument.documentElement.scrollWidth + 500) return true;
  for (let n = el.parentElement; n && n !== el.ownerDocument.body; n = n.parentElement) {
    const nr = n.getBoundingClientRect(); const cs = win.getComputedStyle(n);
    if (cs.overflow === 'hidden' && (nr.width <= 2 || nr.height <= 2)) return true;
  }
  return false;
}
function hintOf(el) { const d = el.getAttribute('aria-describedby'); return d ? byIds(el.ownerDocument, d).slice(0, 300) : ''; }
function discoverDoc(doc, path) {
  const win = doc.defaultView;
  const prefix = 'f' + path.join('_') + 'x';
  const excluded = opts.exclude ? Array.from(doc.querySelectorAll(opts.exclude)) : [];
  const isExcluded = el => excluded.some(x => x === el || x.contains(el));
  let counter = win.__talvixCounter || 0;
  const tag = el => { if (!el.getAttribute('data-talvix-id')) { counter += 1; el.setAttribute('data-talvix-id', prefix + counter); } return el.getAttribute('data-talvix-id'); };
  const out = [];
  const seenGroups = {};
  for (const el of Array.from(doc.querySelectorAll(CONTROL))) {
    if (isExcluded(el) || el.closest('[data-talvix-skip]')) continue;
    const tagName = el.tagName.toLowerCase();
    const itype = (el.getAttribute('type') || '').toLowerCase();
    if (tagName === 'input' && ['hidden', 'submit', 'button', 'reset', 'image', 'search'].includes(itype)) continue;
    if (el.getAttribute('aria-hidden') === 'true' && itype !== 'file') continue;
    if (itype !== 'file' && trap(el)) continue;
    if (el.disabled) continue;
    const role = (el.getAttribute('role') || '').toLowerCase();
    if (role === 'listbox' && el.closest('[role=combobox],[aria-haspopup=listbox]')) continue;
    if (tagName === 'option') continue;
    if (itype === 'radio' || itype === 'checkbox') {
      const lab = el.labels && el.labels[0];
      if (!shown(el) && !(lab && shown(lab)) && !(ancestorsShown(el) && el.parentElement && shown(el.parentElement))) continue;
      const name = el.name || el.id;
      const members = el.name ? Array.from(doc.querySelectorAll('input[type=' + itype + ']')).filter(x => x.name === el.name && !isExcluded(x) && x.form === el.form) : [el];
      if (itype === 'checkbox' && members.length === 1) {
        const label = labelOf(el);
        out.push({key: tag(el), label: cleanLabel(label), name: name, type: 'checkbox', required: requiredOf(el, label),
                  options: [], option_keys: [], placeholder: '', hint: hintOf(el), input_type: itype, multiple: false, frame: path});
        continue;
      }
      if (seenGroups[itype + ':' + name]) continue;
      seenGroups[itype + ':' + name] = true;
      const [glabel, gbox, gels] = groupLabel(members);
      out.push({key: tag(members[0]), label: cleanLabel(glabel || labelOf(members[0])), name: name,
                type: itype === 'radio' ? 'radio' : 'checkboxes',
                required: groupRequired(members, glabel, gbox || members[0].parentElement, gels),
                options: members.map(m => cleanLabel(labelOf(m) || m.value)), option_keys: members.map(m => tag(m)),
                placeholder: '', hint: '', input_type: itype, multiple: itype === 'checkbox', frame: path});
      continue;
    }
    if (itype === 'file') {
      if (!ancestorsShown(el) && !shown(el)) { const p = el.parentElement; if (!p || !shown(p)) continue; }
    } else if (!shown(el)) {
      continue;
    }
    let type;
    if (tagName === 'select') type = 'select';
    else if (tagName === 'textarea') type = 'textarea';
    else if (role === 'combobox' || el.getAttribute('aria-haspopup') === 'listbox' || role === 'listbox') type = 'combobox';
    else if (itype === 'file') type = 'file';
    else type = ['email', 'tel', 'url', 'number', 'date', 'password'].includes(itype) ? itype : 'text';
    if (type === 'combobox' && tagName === 'input' && el.closest('[role=combobox]') && el.closest('[role=combobox]') !== el) continue;
    const label = labelOf(el);
    let options = [];
    if (type === 'select') {
      options = Array.from(el.options).filter((o, i) => !(i === 0 && (!o.value || /^(select|choose|--|please)/i.test(norm(o.text))))).map(o => norm(o.text));
    }
    const auto = type === 'combobox' && tagName === 'input' && /list|both/.test(el.getAttribute('aria-autocomplete') || '');
    out.push({key: tag(el), label: cleanLabel(label), name: el.getAttribute('name') || el.id || '', type: type,
              required: requiredOf(el, label), options: options, option_keys: [],
              placeholder: norm(el.getAttribute('placeholder')), hint: norm(hintOf(el) + ' ' + suffixOf(el)).slice(0, 300),
              input_type: auto ? 'autocomplete' : itype, multiple: !!el.multiple, frame: path});
  }
  // Yes/no button groups (Ashby and others): buttons that say Yes and No side by side are one question.
  const seenBoxes = new Set();
  for (const b of Array.from(doc.querySelectorAll('button'))) {
    const box = b.parentElement;
    if (!box || seenBoxes.has(box) || isExcluded(box) || !shown(b)) continue;
    const buttons = Array.from(box.children).filter(x => x.tagName === 'BUTTON' && shown(x));
    const texts = buttons.map(x => norm(x.innerText || x.textContent));
    if (buttons.length < 2 || buttons.length > 3 || !texts.some(t => /^yes$/i.test(t)) || !texts.some(t => /^no$/i.test(t))) continue;
    seenBoxes.add(box);
    const l = box.getAttribute('aria-labelledby');
    const els = l ? l.split(/\s+/).map(i => doc.getElementById(i)).filter(Boolean) : [];
    const label = l ? byIds(doc, l) : (norm(box.getAttribute('aria-label')) || nearby(box));
    const hidden = box.querySelector('input[type=hidden][name]');
    out.push({key: tag(buttons[0]), label: cleanLabel(label), name: box.id || (hidden ? hidden.name : ''), type: 'radio',
              required: box.getAttribute('aria-required') === 'true' || saysRequired(label) || els.some(starred),
              options: texts, option_keys: buttons.map(x => tag(x)), placeholder: '', hint: '', input_type: 'button',
              multiple: false, frame: path});
  }
  win.__talvixCounter = counter;
  // Same-origin iframes are read here; the others (and only those) need a WebDriver frame switch.
  if (path.length < (opts.maxDepth || 0)) {
    Array.from(doc.querySelectorAll('iframe')).forEach((f, i) => {
      if (/captcha|recaptcha|hcaptcha|turnstile|challenges\.cloudflare/i.test(f.getAttribute('src') || '')) return;
      let child = null;
      try { child = f.contentDocument; } catch (e) { child = null; }
      if (child && child.documentElement) out.push(...discoverDoc(child, path.concat([i])));
      else remote.push(path.concat([i]));
    });
  }
  return out;
}
return {fields: discoverDoc(document, base), remote: remote};
"""

#: Find a document by its iframe index path from the current one (same-origin frames only).
DOC_AT = r"""
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
function byKey(key, path) { const doc = docAt(path); return doc ? doc.querySelector('[data-talvix-id="' + key + '"]') : null; }
"""

READ_FN = DOC_AT + r"""
function readOne(key, type, keys, path) {
keys = keys || [];
const el = byKey(key, path);
const norm = s => (s || '').replace(/[\s\u00a0]+/g, ' ').trim();
if (!el) return null;
function textOf(node) {
  const c = node.cloneNode(true);
  c.querySelectorAll('input,select,textarea,option,script,style,[role=listbox],[aria-hidden=true]').forEach(x => x.remove());
  return norm(c.textContent);
}
if (type === 'select') { return Array.from(el.selectedOptions).map(o => norm(o.text)).join(', '); }
if (type === 'checkbox') { return el.checked ? 'true' : 'false'; }
if (type === 'radio' || type === 'checkboxes') {
  const on = x => x.tagName === 'BUTTON' ? (x.getAttribute('aria-pressed') === 'true' || x.getAttribute('aria-checked') === 'true') : x.checked;
  const picked = keys.map(k => byKey(k, path)).filter(x => x && on(x));
  return picked.map(x => x.tagName === 'BUTTON' ? norm(x.innerText || x.textContent) : norm((x.labels && x.labels[0]) ? textOf(x.labels[0]) : x.value)).join(', ');
}
if (type === 'file') { return Array.from(el.files || []).map(f => f.name).join(', '); }
if (type === 'combobox') {
  if (el.tagName.toLowerCase() === 'select') return Array.from(el.selectedOptions).map(o => norm(o.text)).join(', ');
  let box = el;
  for (let i = 0; i < 4 && box.parentElement; i++) {
    box = box.parentElement;
    const sv = box.querySelector('[class*=single-value],[class*=singleValue],[class*=multi-value],[data-selected-value]');
    if (sv) {
      const chosen = Array.from(box.querySelectorAll('[class*=single-value],[class*=singleValue],[class*=multi-value__label],[data-selected-value]'))
        .map(textOf).filter(Boolean);
      if (chosen.length) return chosen.join(', ');
      return textOf(sv.closest('[class*=value-container],[class*=ValueContainer]') || sv);
    }
  }
  const own = el.tagName.toLowerCase() === 'input' ? el.value : textOf(el);
  return norm(own) || textOf(el.parentElement || el);
}
return el.value;
}
"""
#: Read many controls in one round trip: ``[[key, type, option_keys, frame path], ...]``.
READ_MANY_JS = READ_FN + "return arguments[0].map(a => readOne(a[0], a[1], a[2], a[3]));"

#: Fill many controls in one round trip, the way a framework expects to hear about it: the native value
#: setter then ``input``/``change`` (React's controlled inputs ignore a plain ``el.value = ...``), focus and
#: blur around it (validation on blur), ``click()`` for radios and checkboxes (click, input and change
#: events, as a person's click), and a person's sequence of pointer/mouse events to open a custom dropdown
#: and pick the option. File inputs are returned as elements for a real ``send_keys``. Each result is
#: null (done) or a short reason; whatever the page did not keep is caught by the read-back.
FILL_JS = PAGE_LIB + DOC_AT + r"""
const done = arguments[arguments.length - 1];
const items = arguments[0], selector = arguments[1];
function setNative(el, value) {
  const win = winOf(el);
  const proto = el.tagName === 'TEXTAREA' ? win.HTMLTextAreaElement.prototype : win.HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
  el.dispatchEvent(new win.InputEvent('input', {bubbles: true, composed: true, inputType: 'insertText', data: value}));
}
function fillText(el, value) {
  if (el.focus) el.focus({preventScroll: true});
  setNative(el, value);
  el.dispatchEvent(new (winOf(el).Event)('change', {bubbles: true}));
  if (el.blur) el.blur();
  return null;
}
function fillSelect(el, value) {
  const want = norm(value).toLowerCase();
  const i = Array.from(el.options).findIndex(o => norm(o.text).toLowerCase() === want);
  if (i < 0) return 'no option ' + JSON.stringify(value);
  if (el.focus) el.focus({preventScroll: true});
  el.selectedIndex = i;
  const win = winOf(el);
  el.dispatchEvent(new win.Event('input', {bubbles: true})); el.dispatchEvent(new win.Event('change', {bubbles: true}));
  if (el.blur) el.blur();
  return null;
}
function setChecked(el, want) {
  if (!el) return 'control re-rendered';
  if (el.tagName === 'BUTTON') {  // a yes/no button group: pressed is chosen
    const pressed = () => el.getAttribute('aria-pressed') === 'true' || el.getAttribute('aria-checked') === 'true';
    if (!pressed()) clickLike(el);
    return pressed() ? null : 'did not stay pressed';
  }
  if (el.checked !== want) el.click();
  return el.checked === want ? null : 'did not stay ' + (want ? 'ticked' : 'unticked');
}
// The suggestion that is this place or name: "<query>" or "<query>, ..." / "<query> (...)", the one that
// also says ``prefer`` (the country) first. Mirrors pick_suggestion() in Python.
function pickSuggestion(options, query, prefer) {
  const q = norm(query).toLowerCase(), p = norm(prefer).toLowerCase();
  const fits = options.filter(o => { const t = optionText(o).toLowerCase(); return t === q || t.startsWith(q + ',') || t.startsWith(q + ' ('); });
  return fits.find(o => p && optionText(o).toLowerCase().includes(p)) || fits[0] || null;
}
async function fillAutocomplete(el, query, prefer) {
  const doc = el.ownerDocument;
  let m = mark(doc);
  if (el.focus) el.focus({preventScroll: true});
  setNative(el, query);
  await calm(doc, m, 600);
  const option = await waitFor(() => pickSuggestion(menuOptions(el, selector), query, prefer), 1500);
  if (!option) { m = mark(doc); closeMenu(el); await calm(doc, m, 300); return 'no suggestion for ' + JSON.stringify(query) + ' appeared'; }
  option.scrollIntoView({block: 'nearest'});
  m = mark(doc);
  fire(option, 'pointerdown', {pointerType: 'mouse', isPrimary: true}); fire(option, 'mousedown');
  fire(option, 'pointerup', {pointerType: 'mouse', isPrimary: true}); fire(option, 'mouseup'); fire(option, 'click', {detail: 1});
  await calm(doc, m, 300);
  return null;
}
async function fillCombo(el, value, it) {
  if (el.tagName === 'SELECT') return fillSelect(el, value);
  if (it && it.query && el.tagName === 'INPUT') return fillAutocomplete(el, it.query, it.prefer || '');
  const doc = el.ownerDocument; const want = norm(value).toLowerCase();
  const match = () => menuOptions(el, selector).find(o => optionText(o).toLowerCase() === want) || null;
  let m = mark(doc);
  clickLike(el);
  await calm(doc, m, 300);
  let option = await waitFor(match, 600);
  if (!option && el.tagName === 'INPUT') {  // a long or virtualised list: type to filter, as a person would
    m = mark(doc);
    setNative(el, value);
    await calm(doc, m, 300);
    option = await waitFor(match, 1000);
  }
  if (!option) { m = mark(doc); closeMenu(el); await calm(doc, m, 300); return 'no option ' + JSON.stringify(value) + ' appeared'; }
  option.scrollIntoView({block: 'nearest'});
  m = mark(doc);
  fire(option, 'pointerdown', {pointerType: 'mouse', isPrimary: true});
  fire(option, 'mousedown');
  fire(option, 'pointerup', {pointerType: 'mouse', isPrimary: true});
  fire(option, 'mouseup'); fire(option, 'click', {detail: 1});
  await calm(doc, m, 300);
  m = mark(doc);
  if (visibleOptions(doc, selector).length) closeMenu(el);
  else if (doc.activeElement === el && el.blur) el.blur();
  await calm(doc, m, 300);
  return null;
}
(async () => {
  const results = [], files = [];
  for (const it of items) {
    try {
      if (it.type === 'choice') {
        let r = null;
        for (const k of it.keys) { r = setChecked(byKey(k, it.path), true) || r; }
        results.push(r);
        continue;
      }
      const el = byKey(it.key, it.path);
      if (!el) { results.push('control re-rendered'); continue; }
      if (it.type === 'file') { files.push([results.length, el]); results.push(null); continue; }
      if (it.type === 'checkbox') results.push(setChecked(el, !!it.value));
      else if (it.type === 'select') results.push(fillSelect(el, String(it.value)));
      else if (it.type === 'combobox') results.push(await fillCombo(el, String(it.value), it));
      else results.push(fillText(el, String(it.value)));
    } catch (e) {
      results.push(String(e && e.message || e).slice(0, 200));
    }
  }
  await sleep(0);
  return {results: results, files: files};
})().then(done, e => done({error: String(e && e.stack || e)}));
"""

OPTION_SELECTOR = "[role=option], [class*='select__option'], li[data-value]"

#: Options of many custom dropdowns in one round trip: ``[[key, frame path], ...]`` -> option texts or null.
OPTIONS_JS = PAGE_LIB + DOC_AT + r"""
const done = arguments[arguments.length - 1];
const items = arguments[0], selector = arguments[1];
(async () => {
  const out = [];
  for (const [key, path] of items) {
    const el = byKey(key, path);
    if (!el || el.tagName === 'SELECT') { out.push(null); continue; }
    try { out.push(await comboOptions(el, selector)); } catch (e) { out.push(null); }
  }
  return out;
})().then(done, () => done(null));
"""


class FieldNotFound(Exception):
    """The control vanished (re-rendered, removed) between discovery and filling."""


def norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "")).strip()


def switch_frame(driver: Any, path: list[int]) -> None:
    driver.switch_to.default_content()
    for index in path:
        frames = driver.find_elements(By.TAG_NAME, "iframe")
        if index >= len(frames):
            raise FieldNotFound(f"iframe {path} is gone")
        driver.switch_to.frame(frames[index])


def discover(driver: Any, *, exclude: str | None = None, frames: bool = True) -> list[FormField]:
    """Every question on the page and in its iframes (two levels deep), in document order.

    One script reads the top document and every same-origin iframe through ``contentDocument``; only a
    cross-origin iframe (an embedded ATS form on a company page) costs a WebDriver frame switch, and its
    own same-origin children are read by the same script run inside it.
    """
    fields: list[FormField] = []
    todo: list[list[int]] = [[]]
    while todo:
        via = todo.pop(0)
        try:
            if via:
                switch_frame(driver, via)
            raw = driver.execute_script(DISCOVER_JS, {"exclude": exclude, "base": via, "maxDepth": 2 if frames else 0})
        except (WebDriverException, FieldNotFound):
            continue
        finally:
            if via:
                driver.switch_to.default_content()
        for item in (raw or {}).get("fields") or []:
            fields.append(FormField(via=list(via), **item))
        todo.extend(list(p) for p in (raw or {}).get("remote") or [] if len(p) <= 2)
    return fields


def wait_for_fields(driver: Any, timeout_s: float, *, exclude: str | None = None, minimum: int = 1,
                    settle_s: float = 2.5) -> tuple[list[FormField], Settled]:
    """Wait until the page is idle (at most ``settle_s`` once ``minimum`` controls exist), then discover.

    With ``minimum=0`` the page's own state decides: an idle page without a form is returned at once (the
    caller may follow an "Apply" link). Otherwise controls are awaited up to ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        left = max(0.0, deadline - time.monotonic())
        settled = settle(driver, left, cap_s=min(settle_s, left), min_controls=minimum)
        fields = discover(driver, exclude=exclude)
        if len(fields) >= minimum or time.monotonic() >= deadline:
            return fields, settled
        time.sleep(0.1)  # controls exist but none is usable yet (hidden, disabled): look again shortly


def element(driver: Any, key: str) -> Any:
    try:
        return driver.find_element(By.CSS_SELECTOR, f'[data-talvix-id="{key}"]')
    except NoSuchElementException:
        raise FieldNotFound(key) from None


def _rel(f: FormField) -> list[int]:
    """The field's frame path below the document WebDriver must be switched to (``via``)."""
    return list(f.frame[len(f.via):])


def _by_via(fields: list[FormField]) -> dict[tuple[int, ...], list[int]]:
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, f in enumerate(fields):
        groups.setdefault(tuple(f.via), []).append(i)
    return groups


def read_value(driver: Any, f: FormField) -> str | None:
    return read_values(driver, [f])[0]


def read_values(driver: Any, fields: list[FormField]) -> list[str | None]:
    """What the page shows for each field: one script call for the page and its same-origin frames."""
    out: list[str | None] = [None] * len(fields)
    for via, idx in _by_via(fields).items():
        if via:
            switch_frame(driver, list(via))
        try:
            got = driver.execute_script(READ_MANY_JS, [[fields[i].key, fields[i].type, fields[i].option_keys,
                                                        _rel(fields[i])] for i in idx])
        finally:
            if via:
                driver.switch_to.default_content()
        for i, value in zip(idx, got or []):
            out[i] = value
    return out


def read_options(driver: Any, fields: list[FormField], *, selector: str = OPTION_SELECTOR) -> None:
    """Fill in ``options`` of custom dropdowns: the ones they own, else open, read and close each in the page."""
    todo = [f for f in fields if f.type == "combobox" and not f.options]
    for via, idx in _by_via(todo).items():
        try:
            if via:
                switch_frame(driver, list(via))
            got = driver.execute_async_script(OPTIONS_JS, [[todo[i].key, _rel(todo[i])] for i in idx], selector)
        except (WebDriverException, FieldNotFound):
            continue
        finally:
            if via:
                driver.switch_to.default_content()
        for i, options in zip(idx, got or []):
            if options:
                todo[i].options = [norm(o) for o in options if norm(o)]


def fill_many(driver: Any, items: list[tuple[FormField, Any]], *, option_selector: str = OPTION_SELECTOR) -> list[str | None]:
    """Fill every field in one script call per document (see :data:`FILL_JS`); files by ``send_keys``.

    Returns, per item, None or why it could not be filled. Nothing here is trusted: the engine reads
    every value back and falls back to real typing and clicks (:func:`fill`) for whatever did not stick.
    """
    from core.apply_engine.options import best_option

    out: list[str | None] = [None] * len(items)
    late: list[int] = []  # file inputs inside a same-origin iframe: send_keys needs the frame switch
    payload: dict[tuple[int, ...], list[tuple[int, dict[str, Any]]]] = {}
    for n, (f, value) in enumerate(items):
        item: dict[str, Any] = {"key": f.key, "type": f.type, "path": _rel(f)}
        if f.type in ("radio", "checkboxes"):
            wanted = value if isinstance(value, list) else [value]
            missing = [w for w in wanted if w not in f.options]
            if missing:
                out[n] = f"{missing[0]!r} is not an option of {f.label!r}"
                continue
            item = {"type": "choice", "keys": [f.option_keys[f.options.index(w)] for w in wanted], "path": _rel(f)}
        elif f.type == "file":
            if _rel(f):
                late.append(n)
                continue
        elif f.type == "checkbox":
            item["value"] = bool(value)
        elif f.type == "combobox":
            item["value"] = (best_option(value, f.options) if f.options else None) or str(value)
            if not f.options:  # options appear only when typed into: type, then pick the suggestion
                item["query"], item["prefer"] = suggestion_query(value)
        else:
            item["value"] = str(value)
        payload.setdefault(tuple(f.via), []).append((n, item))
    for via, entries in payload.items():
        try:
            if via:
                switch_frame(driver, list(via))
            got = driver.execute_async_script(FILL_JS, [e for _, e in entries], option_selector) or {}
            if got.get("error"):
                raise WebDriverException(str(got["error"]).splitlines()[0][:200])
            results = list(got.get("results") or [])
            for (n, _), result in zip(entries, results):
                out[n] = result
            for pos, element in got.get("files") or []:
                n = entries[pos][0]
                try:
                    element.send_keys(str(items[n][1]))
                except WebDriverException as exc:
                    out[n] = _reason(exc)
        except (WebDriverException, FieldNotFound) as exc:
            for n, _ in entries:
                out[n] = out[n] or _reason(exc)
        finally:
            if via:
                driver.switch_to.default_content()
    for n in late:
        try:
            fill(driver, items[n][0], items[n][1], option_selector=option_selector)
        except (FieldNotFound, ValueError, WebDriverException) as exc:
            out[n] = _reason(exc)
    return out


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "msg", None) or exc or type(exc).__name__)
    return norm(text.splitlines()[0] if text else type(exc).__name__)[:200]


def click(driver: Any, el: Any) -> None:
    """A real click, falling back to the element's label or a script click when something overlays it."""
    try:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", el)
        el.click()
    except (ElementClickInterceptedException, ElementNotInteractableException):
        driver.execute_script("arguments[0].click();", el)


def press(driver: Any, el: Any) -> str:
    """Click a control once with a trusted mouse event that never waits for the navigation it starts.

    Used for the submit button: chromedriver's own click waits for the resulting page load, and its HTTP
    client may repeat a command that timed out - a second submission. One CDP mouse press/release
    returns as soon as it is dispatched. When something covers the button, a script click is used
    instead (decided before anything is dispatched, so the control is pressed once either way).
    """
    point = driver.execute_script(
        "const el = arguments[0]; el.scrollIntoView({block: 'center'});"
        "const r = el.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;"
        "const hit = document.elementFromPoint(x, y);"
        "return (hit && (hit === el || el.contains(hit))) ? [x, y] : null;", el)
    if point is None:
        driver.execute_script("setTimeout(() => arguments[0].click(), 0);", el)
        return "script"
    for kind in ("mousePressed", "mouseReleased"):
        driver.execute_cdp_cmd("Input.dispatchMouseEvent", {"type": kind, "x": point[0], "y": point[1],
                                                            "button": "left", "clickCount": 1})
    return "mouse"


def type_text(driver: Any, el: Any, value: str) -> None:
    """Type like a person (React sees key events), replacing whatever was there."""
    try:
        current = driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); return arguments[0].value;", el)
        if current:
            el.send_keys(Keys.CONTROL, "a")
            el.send_keys(Keys.DELETE)
        el.send_keys(value)
    except ElementNotInteractableException:
        driver.execute_script(
            "const el = arguments[0]; const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;"
            "Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, arguments[1]);"
            "el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));",
            el, value)


def visible_options(driver: Any, selector: str = OPTION_SELECTOR) -> list[Any]:
    out = []
    for el in driver.find_elements(By.CSS_SELECTOR, selector):
        try:
            if el.is_displayed():
                out.append(el)
        except StaleElementReferenceException:
            continue
    return out


def open_combobox_options(driver: Any, el: Any, *, timeout_s: float = 1.5, selector: str = OPTION_SELECTOR) -> list[str]:
    """Open a custom dropdown, read the options it renders, close it again."""
    click(driver, el)
    deadline = time.monotonic() + timeout_s
    options: list[Any] = []
    while time.monotonic() < deadline:
        options = visible_options(driver, selector)
        if options:
            break
        time.sleep(0.05)
    texts = []
    for o in options:
        try:
            texts.append(norm(o.text))
        except StaleElementReferenceException:
            continue
    try:
        el.send_keys(Keys.ESCAPE)
    except (ElementNotInteractableException, WebDriverException):
        driver.execute_script("document.activeElement && document.activeElement.blur();")
    return [t for t in texts if t]


def suggestion_query(value: Any) -> tuple[str, str]:
    """What to type into an autocomplete for ``value``, and what the right suggestion also says:
    ``"Bengaluru, India"`` -> (``"Bengaluru"``, ``"India"``)."""
    parts = [p.strip() for p in str(value).split(",") if p.strip()]
    if len(parts) > 1:
        return parts[0], parts[-1]
    return str(value).strip(), ""


def pick_suggestion(texts: list[str], query: str, prefer: str = "") -> str | None:
    """The suggestion that is ``query`` ("Bengaluru", "Bengaluru, Karnataka, India"; not "Bengaluru Rural"),
    the one that also says ``prefer`` first."""
    q, p = norm(query).lower(), norm(prefer).lower()
    fits = [t for t in texts if norm(t).lower() == q or norm(t).lower().startswith((q + ",", q + " ("))]
    return next((t for t in fits if p and p in norm(t).lower()), fits[0] if fits else None)


def choose_combobox(driver: Any, el: Any, value: str, *, timeout_s: float = 3.0,
                    selector: str = OPTION_SELECTOR, autocomplete: bool = False) -> bool:
    """Open a custom dropdown, type to filter when it takes text, click the option whose text matches.

    ``autocomplete``: suggestions appear only when typed into; the query is typed and the suggestion that
    is the value is chosen (:func:`pick_suggestion`)."""
    from core.apply_engine.options import best_option

    query, prefer = suggestion_query(value) if autocomplete else (value, "")
    click(driver, el)
    if el.tag_name.lower() == "input":
        try:
            if autocomplete:
                type_text(driver, el, query)
            else:
                el.send_keys(value)
        except ElementNotInteractableException:
            pass
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        options = visible_options(driver, selector)
        texts = []
        for o in options:
            try:
                texts.append(norm(o.text))
            except StaleElementReferenceException:
                texts.append("")
        pick = (pick_suggestion([t for t in texts if t], query, prefer) if autocomplete else
                best_option(value, [t for t in texts if t])) if texts else None
        if pick is not None:
            for o, t in zip(options, texts):
                if t == pick:
                    try:
                        click(driver, o)
                        return True
                    except StaleElementReferenceException:
                        break
        time.sleep(0.05)
    try:
        el.send_keys(Keys.ESCAPE)
    except WebDriverException:
        pass
    return False


def fill(driver: Any, f: FormField, value: Any, *, option_selector: str = OPTION_SELECTOR) -> None:
    """Put ``value`` into the control. Raises FieldNotFound or ValueError when it cannot.

    Outside an operation on a field in an iframe the driver is always on the top document, so only
    iframe fields switch (each switch is a round trip to chromedriver).
    """
    if f.frame:
        switch_frame(driver, f.frame)
    try:
        if f.type in ("radio", "checkboxes"):
            wanted = value if isinstance(value, list) else [value]
            for want in wanted:
                if want not in f.options:
                    raise ValueError(f"{want!r} is not an option of {f.label!r}")
                el = element(driver, f.option_keys[f.options.index(want)])
                if not el.is_selected():
                    _click_choice(driver, el)
            return
        el = element(driver, f.key)
        if f.type == "checkbox":
            if bool(value) != el.is_selected():
                _click_choice(driver, el)
        elif f.type == "select":
            _select_option(driver, el, str(value))
        elif f.type == "file":
            el.send_keys(str(value))
        elif f.type == "combobox":
            if el.tag_name.lower() == "select":
                _select_option(driver, el, str(value))
            elif not choose_combobox(driver, el, str(value), selector=option_selector, autocomplete=not f.options):
                raise ValueError(f"no option {value!r} in {f.label!r}")
        else:
            type_text(driver, el, str(value))
    finally:
        if f.frame:
            driver.switch_to.default_content()


def _click_choice(driver: Any, el: Any) -> None:
    try:
        if el.is_displayed():
            click(driver, el)
            return
    except StaleElementReferenceException:
        raise FieldNotFound("option re-rendered") from None
    labels = driver.execute_script("return arguments[0].labels ? Array.from(arguments[0].labels) : [];", el)
    if labels:
        click(driver, labels[0])
    else:
        driver.execute_script("arguments[0].click();", el)


_SELECT_JS = r"""
const el = arguments[0], want = arguments[1].replace(/\s+/g, ' ').trim().toLowerCase();
el.scrollIntoView({block: 'center'});
const i = Array.from(el.options).findIndex(o => o.text.replace(/\s+/g, ' ').trim().toLowerCase() === want);
if (i < 0) return false;
el.focus(); el.selectedIndex = i;
el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));
return true;
"""


def _select_option(driver: Any, el: Any, value: str) -> None:
    """Choose a native ``<select>`` option by its text in one round trip (Selenium's Select costs one per option)."""
    if not driver.execute_script(_SELECT_JS, el, value):
        raise ValueError(f"no option {value!r}")


def dom_snapshot(driver: Any) -> str:
    """The page as it stands (form values included as attributes), for the receipt."""
    driver.switch_to.default_content()
    return driver.execute_script(
        "document.querySelectorAll('input,textarea').forEach(e => {"
        " if (e.type === 'checkbox' || e.type === 'radio') { if (e.checked) e.setAttribute('checked', ''); else e.removeAttribute('checked'); }"
        " else if (e.type !== 'file' && e.type !== 'password') e.setAttribute('value', e.value); });"
        "document.querySelectorAll('select option').forEach(o => { if (o.selected) o.setAttribute('selected', ''); });"
        "return '<!DOCTYPE html>\\n' + document.documentElement.outerHTML;")


def page_text(driver: Any, limit: int = 20000) -> str:
    driver.switch_to.default_content()
    try:
        return (driver.execute_script("return document.body ? document.body.innerText : '';") or "")[:limit]
    except WebDriverException:
        return ""
