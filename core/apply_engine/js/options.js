// Options of custom dropdowns: the ones they own, else open, read and close them (forms.read_options).
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
