// Read one control back as the page shows it (forms.read_values).
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
  // a yes/no button (its text), or a radio / tick box drawn on a div (drawnSays), or a real input (its label)
  const on = x => drawnChoice(x) ? drawnChosen(x) : x.checked;
  const says = x => x.tagName === 'BUTTON' ? norm(x.innerText || x.textContent) : drawnSays(x);
  const picked = keys.map(k => byKey(k, path)).filter(x => x && on(x));
  return picked.map(x => drawnChoice(x) ? says(x) : norm((x.labels && x.labels[0]) ? textOf(x.labels[0]) : x.value)).join(', ');
}
if (type === 'file') { return Array.from(el.files || []).map(f => f.name).join(', '); }
if (type === 'combobox') {
  if (el.tagName.toLowerCase() === 'select') return Array.from(el.selectedOptions).map(o => norm(o.text)).join(', ');
  if (el.getAttribute('role') === 'listbox') {  // a listbox says which option is chosen; a placeholder is none
    const chosen = Array.from(el.querySelectorAll('[role=option][aria-selected=true]')).filter(o => o.getAttribute('data-value') !== '');
    if (chosen.length || el.querySelector('[role=option][aria-selected]')) return chosen.map(o => norm(o.innerText || o.textContent)).join(', ');
  }
  let box = el;
  for (let i = 0; i < 4 && box.parentElement; i++) {
    box = box.parentElement;
    // a box that holds another dropdown too is not this one's: its shown value may be the other's
    if (Array.from(box.querySelectorAll('[role=combobox]')).some(x => x !== el && !x.contains(el) && !el.contains(x))) break;
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
