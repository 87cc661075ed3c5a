// The form's visible error messages and the control each is about (adapters/base.py), open shadow roots included.
const texts = [], fields = [];
const all = sel => {
  const out = Array.from(document.querySelectorAll(sel));
  const walk = root => root.querySelectorAll('*').forEach(h => { if (h.shadowRoot) { out.push(...h.shadowRoot.querySelectorAll(sel)); walk(h.shadowRoot); } });
  walk(document);
  return out;
};
const shown = e => { const r = e.getBoundingClientRect(); const cs = getComputedStyle(e);
                     return r.width > 0 && r.height > 0 && cs.display !== 'none' && cs.visibility !== 'hidden' && !e.hidden; };
const say = e => (e.innerText || e.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim();
function controlOf(e) {
  if (e.id) {
    const c = Array.from(e.getRootNode().querySelectorAll('[aria-describedby],[aria-errormessage]')).find(x =>
      (x.getAttribute('aria-describedby') || '').split(/\s+/).includes(e.id) || x.getAttribute('aria-errormessage') === e.id);
    if (c) return c;
  }
  let box = e.parentElement;
  for (let i = 0; box && i < 4; i++, box = box.parentElement) {
    const tagged = box.querySelectorAll('[data-talvix-id]');
    if (tagged.length) return tagged.length <= 4 ? tagged[0] : null;
  }
  return null;
}
const keyOf = c => { if (!c) return null; const t = c.closest('[data-talvix-id]') || c; return t.getAttribute('data-talvix-id'); };
all('[aria-invalid=true], .error, .field-error-msg, .helper-text--error, [role=alert], .errors, .error-message, .invalid-feedback, .field-error').forEach(e => {
  if (e.matches('input,select,textarea,[role=combobox]')) {
    const ids = (e.getAttribute('aria-errormessage') || e.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    const m = ids.map(i => e.getRootNode().getElementById(i)).filter(x => x && shown(x)).map(say).join(' ') || e.validationMessage || '';
    if (m) fields.push([keyOf(e), m.slice(0, 300)]);
    return;
  }
  if (!shown(e)) return;
  const t = say(e);
  if (!t || t.length >= 300) return;
  texts.push(t);
  const c = controlOf(e);
  if (c) fields.push([keyOf(c), t]);
});
const seen = new Set();
return {texts: Array.from(new Set(texts)).slice(0, 10),
        fields: fields.filter(([k, m]) => k && !seen.has(k) && seen.add(k)).slice(0, 20)};
