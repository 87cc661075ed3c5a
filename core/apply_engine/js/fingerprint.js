// Which ATS drew the page, from its markup (fingerprint.fingerprint).
const marks = arguments[0], hosts = arguments[1].map(([n, p]) => [n, new RegExp(p, 'i')]), embeds = arguments[2];
function markOf(doc) {
  for (const [name, sels] of marks) {
    for (const css of sels) { try { if (doc.querySelector(css)) return [name, css]; } catch (e) {} }
  }
  const urls = Array.from(doc.querySelectorAll('script[src],link[href],iframe[src]'))
    .map(e => e.getAttribute('src') || e.getAttribute('href') || '');
  for (const [name, re] of hosts) { const u = urls.find(x => re.test(x)); if (u) return [name, 'url ' + u.slice(0, 120)]; }
  return null;
}
const frames = Array.from(document.querySelectorAll('iframe'));
for (const [name, css] of embeds) {
  const f = document.querySelector(css);
  if (f) {
    const r = f.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) return {ats: name, frame: [frames.indexOf(f)], mark: 'embed ' + css.split(',')[0]};
  }
}
const top = markOf(document);
if (top) return {ats: top[0], frame: null, mark: top[1]};
for (let i = 0; i < frames.length; i++) {
  let doc = null; try { doc = frames[i].contentDocument; } catch (e) { doc = null; }
  if (!doc) continue;
  const m = markOf(doc);
  if (m) return {ats: m[0], frame: [i], mark: m[1]};
}
return {ats: 'generic', frame: null, mark: ''};
