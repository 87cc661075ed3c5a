// Fill many controls in one call, as frameworks expect to hear about it (forms.fill_many).
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
  if (drawnChoice(el)) {  // a yes/no button group, or a radio / tick box drawn on a div
    if (drawnChosen(el) !== want) clickLike(el);
    return drawnChosen(el) === want ? null : 'did not stay ' + (want ? 'chosen' : 'unchosen');
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
  const option = await waitLoaded(doc, () => pickSuggestion(realOptions(menuOptions(el, selector)), query, prefer), m, 1500);
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
  const match = () => realOptions(menuOptions(el, selector)).find(o => optionText(o).toLowerCase() === want) || null;
  let m = mark(doc);
  clickLike(el);
  await calm(doc, m, 300);
  let option = await waitLoaded(doc, match, m, 600);
  if (!option && el.tagName === 'INPUT') {  // a long or virtualised list: type to filter, as a person would
    m = mark(doc);
    setNative(el, value);
    await calm(doc, m, 300);
    option = await waitLoaded(doc, match, m, 1000);
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
