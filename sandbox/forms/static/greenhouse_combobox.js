
function setupCombobox(box) {
  var input = box.querySelector('input[role=combobox]');
  var hidden = box.querySelector('input[type=hidden]');
  var single = box.querySelector('.select__single-value');
  var options = JSON.parse(box.getAttribute('data-options'));
  var listId = 'react-select-' + input.id + '-listbox';
  var active = 0;
  function close() {
    var m = box.querySelector('.select__menu'); if (m) m.remove();
    input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-controls');
  }
  function choose(text) {
    hidden.value = text; single.textContent = text; input.value = '';
    box.classList.add('has-value'); close();
    var err = box.querySelector('.helper-text--error'); if (err) err.hidden = true;
  }
  function isOpen() { return !!box.querySelector('.select__menu'); }
  function open() { if (!isOpen()) render(); }
  function render() {
    close();
    var q = input.value.trim().toLowerCase();
    var menu = document.createElement('div');
    menu.className = 'select__menu'; menu.setAttribute('role', 'listbox'); menu.id = listId;
    var shown = options.filter(function (o) { return !q || o.toLowerCase().indexOf(q) >= 0; });
    if (!shown.length) { var n = document.createElement('div'); n.className = 'select__menu-notice'; n.textContent = 'No options'; menu.appendChild(n); }
    if (active >= shown.length) active = 0;
    shown.forEach(function (o, i) {
      var d = document.createElement('div');
      d.className = 'select__option' + (i === active ? ' select__option--is-focused' : '');
      d.setAttribute('role', 'option'); d.id = 'react-select-' + input.id + '-option-' + i; d.textContent = o;
      d.setAttribute('aria-selected', hidden.value === o ? 'true' : 'false');
      d.addEventListener('mousedown', function (ev) { ev.preventDefault(); choose(o); });
      menu.appendChild(d);
    });
    box.querySelector('.select__container').appendChild(menu);
    input.setAttribute('aria-expanded', 'true'); input.setAttribute('aria-controls', listId);
    return shown;
  }
  input.addEventListener('focus', function () { open(); });
  input.addEventListener('mousedown', function () { setTimeout(open, 0); });
  box.querySelector('.select__indicator').addEventListener('mousedown', function (ev) { ev.preventDefault(); input.focus(); open(); });
  input.addEventListener('input', function () { active = 0; render(); single.textContent = input.value ? '' : hidden.value; });
  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'ArrowDown') { if (isOpen()) active++; render(); ev.preventDefault(); }
    else if (ev.key === 'ArrowUp') { active = Math.max(0, active - 1); render(); ev.preventDefault(); }
    else if (ev.key === 'Enter') {
      var m = box.querySelector('.select__menu'); if (!m) { open(); ev.preventDefault(); return; }
      var o = m.querySelectorAll('[role=option]')[active]; if (o) choose(o.textContent); ev.preventDefault();
    } else if (ev.key === 'Escape') { close(); }
  });
  input.addEventListener('blur', function () { close(); input.value = ''; single.textContent = hidden.value; });
}
document.querySelectorAll('.select[data-options]').forEach(setupCombobox);
