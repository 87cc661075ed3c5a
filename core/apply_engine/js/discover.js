// Discovery (forms.discover): every question of a document and its same-origin frames, as FormField dicts.
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
  const doc = rootOf(el); let t = '';
  const lb = el.getAttribute('aria-labelledby'); if (lb) t = byIds(doc, lb);
  if (!t && el.labels && el.labels.length) t = norm(Array.from(el.labels).map(textOf).join(' '));
  if (!t && el.id) { try { const l = doc.querySelector('label[for="' + CSS.escape(el.id) + '"]'); if (l) t = textOf(l); } catch (e) {} }
  if (!t) t = norm(el.getAttribute('aria-label'));
  if (/^(attach|upload( a)?( file)?|browse|choose( a)? file|select( a)? file)$/i.test(t)) {
    const g = el.closest('[role=group][aria-labelledby]');
    t = g ? byIds(doc, g.getAttribute('aria-labelledby')) : (nearby(el.closest('label') || el) || t);
  }
  if (!t) t = nearby(el);
  if (!t && doc.host) t = hostLabel(doc.host);
  if (!t) t = norm(el.getAttribute('placeholder') || el.getAttribute('title'));
  return t;
}
// A control inside a web component's shadow root with no label of its own there: the component's
// ``label``/``aria-label`` attribute, else what stands before the component.
function hostLabel(host) {
  const t = norm(host.getAttribute('label') || host.getAttribute('aria-label'));
  if (t) return t + (host.hasAttribute('required') ? ' *' : '');
  return nearby(host) || (rootOf(host).host ? hostLabel(rootOf(host).host) : '');
}
function groupLabel(members) {
  const doc = rootOf(members[0]);
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
  const doc = rootOf(el); const out = [];
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
  const host = rootOf(el).host;  // a web component that says it is required
  if (host && (host.hasAttribute('required') || host.getAttribute('aria-required') === 'true')) return true;
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
// The group component around an option drawn in its own shadow root: an ancestor (across shadow roots)
// with role radiogroup/group or a tag named *-radio-group / *-checkbox-group; null when there is none.
function componentGroup(el) {
  let n = rootOf(el).host;
  for (let depth = 0; n && depth < 12; depth++) {
    const p = n.parentElement || (rootOf(n).host || null);
    if (!p) return null;
    if (/-(radio|checkbox)-group$/i.test(p.tagName) || /^(radiogroup|group)$/.test(p.getAttribute('role') || '')) return p;
    n = p;
  }
  return null;
}
function componentLabel(group) {
  let t = norm(group.getAttribute('label') || group.getAttribute('aria-label'));
  const lb = group.getAttribute('aria-labelledby');
  if (!t && lb) t = byIds(rootOf(group), lb);
  const lg = !t && group.shadowRoot ? group.shadowRoot.querySelector('legend, label') : null;
  if (lg) t = textOf(lg);
  return t || nearby(group);
}
// The name a web component carries for the control in its shadow root (<spl-input name="firstName">).
function hostName(el) { const h = rootOf(el).host; return h ? (h.getAttribute('name') || '') : ''; }
// Google Forms names no control: its question's data-params hold the entry its answer is posted as.
function entryName(el) {
  const q = el.closest('[data-params]'); const m = q && /\[\[(\d+),/.exec(q.getAttribute('data-params') || '');
  return m ? 'entry.' + m[1] : '';
}
function hintOf(el) { const d = el.getAttribute('aria-describedby'); return d ? byIds(rootOf(el), d).slice(0, 300) : ''; }
function discoverDoc(doc, path) {
  const win = doc.defaultView;
  const prefix = 'f' + path.join('_') + 'x';
  const excluded = opts.exclude ? Array.from(doc.querySelectorAll(opts.exclude)) : [];
  const isExcluded = el => excluded.some(x => x === el || x.contains(el));
  let counter = win.__talvixCounter || 0;
  const tag = el => { if (!el.getAttribute('data-talvix-id')) { counter += 1; el.setAttribute('data-talvix-id', prefix + counter); } return el.getAttribute('data-talvix-id'); };
  const out = [];
  const seenGroups = {};
  const seenComponents = new Set();
  for (const el of deepAll(doc, CONTROL)) {
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
      const group = rootOf(el).host ? componentGroup(el) : null;
      if (group) {  // options each in their own web component (<spl-radio> in <spl-radio-group>)
        if (seenComponents.has(group)) continue;
        seenComponents.add(group);
        const members = deepAll(group, 'input[type=' + itype + ']').filter(x => !isExcluded(x));
        const label = componentLabel(group);
        out.push({key: tag(members[0]), label: cleanLabel(label), name: group.getAttribute('name') || group.id || '',
                  type: itype === 'radio' ? 'radio' : 'checkboxes',
                  required: group.hasAttribute('required') || group.getAttribute('aria-required') === 'true' || saysRequired(label),
                  options: members.map(m => cleanLabel(labelOf(m) || m.value)), option_keys: members.map(m => tag(m)),
                  placeholder: '', hint: '', input_type: itype, multiple: itype === 'checkbox', frame: path});
        continue;
      }
      const name = el.name || el.id;
      const members = el.name ? Array.from(rootOf(el).querySelectorAll('input[type=' + itype + ']')).filter(x => x.name === el.name && !isExcluded(x) && x.form === el.form) : [el];
      if (itype === 'checkbox' && members.length === 1) {
        const label = labelOf(el);
        out.push({key: tag(el), label: cleanLabel(label), name: el.name || hostName(el) || el.id, type: 'checkbox', required: requiredOf(el, label),
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
    out.push({key: tag(el), label: cleanLabel(label), name: el.getAttribute('name') || hostName(el) || el.id || entryName(el), type: type,
              required: requiredOf(el, label), options: options, option_keys: [],
              placeholder: norm(el.getAttribute('placeholder')), hint: norm(hintOf(el) + ' ' + suffixOf(el)).slice(0, 300),
              input_type: auto ? 'autocomplete' : itype, multiple: !!el.multiple, frame: path,
              maxlength: (tagName === 'input' || tagName === 'textarea') && el.maxLength > 0 ? el.maxLength : 0});
  }
  // A question found after the controls' walk takes its place in document order among those already read
  // (a person answers them top to bottom).
  const place = (field, el) => {
    const at = out.findIndex(o => { const e = doc.querySelector('[data-talvix-id="' + o.key + '"]');
                                    return e && (el.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING); });
    if (at < 0) out.push(field); else out.splice(at, 0, field);
  };
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
    place({key: tag(buttons[0]), label: cleanLabel(label), name: box.id || (hidden ? hidden.name : ''), type: 'radio',
           required: box.getAttribute('aria-required') === 'true' || saysRequired(label) || els.some(starred),
           options: texts, option_keys: buttons.map(x => tag(x)), placeholder: '', hint: '', input_type: 'button',
           multiple: false, frame: path}, buttons[0]);
  }
  // Radios and tick boxes drawn without inputs (role=radio / role=checkbox on a div, as Google Forms and
  // other hand-made widgets draw them): a radiogroup's options are one question, so are the tick boxes of
  // one box; what they say is their aria-label (else data-value, else their text).
  const seenAria = new Set();
  for (const opt of Array.from(doc.querySelectorAll('[role=radio],[role=checkbox]'))) {
    if (opt.matches('input') || seenAria.has(opt) || isExcluded(opt) || opt.closest('[data-talvix-skip]') || !shown(opt) || trap(opt)) continue;
    if (opt.tagName === 'BUTTON' && seenBoxes.has(opt.parentElement)) continue;  // a yes/no button group, read above
    if (opt.querySelector('input[type=radio],input[type=checkbox]')) continue;  // a wrapper round a real input, read above
    const role = opt.getAttribute('role');
    const box = (role === 'radio' ? opt.closest('[role=radiogroup]') : opt.closest('[role=group],[role=list]')) || opt.parentElement;
    const members = Array.from(box.querySelectorAll('[role=' + role + ']')).filter(x => !x.matches('input') && shown(x) && !isExcluded(x));
    members.forEach(x => seenAria.add(x));
    const item = box.closest('[role=listitem]');
    const heading = item ? item.querySelector('[role=heading]') : null;
    const l = box.getAttribute('aria-labelledby');
    const els = l ? l.split(/\s+/).map(i => doc.getElementById(i)).filter(Boolean) : (heading ? [heading] : []);
    const label = l ? byIds(doc, l) : (norm(box.getAttribute('aria-label')) || (heading ? textOf(heading) : nearby(box)));
    const field = {key: tag(members[0]), label: cleanLabel(label), name: entryName(box) || box.id || '',
              type: role === 'radio' ? 'radio' : 'checkboxes',
              required: box.getAttribute('aria-required') === 'true' || saysRequired(label) || els.some(starred),
              options: members.map(x => cleanLabel(drawnSays(x))), option_keys: members.map(x => tag(x)), placeholder: '',
              hint: norm(box.getAttribute('aria-describedby') ? byIds(doc, box.getAttribute('aria-describedby')) : '').slice(0, 300),
              input_type: 'aria', multiple: role === 'checkbox', frame: path};
    place(field, members[0]);
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
