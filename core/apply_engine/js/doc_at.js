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
function byKey(key, path) { const doc = docAt(path); return doc ? doc.querySelector('[data-talvix-id="' + key + '"]') : null; }
