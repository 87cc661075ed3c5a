// Behaviour of the custom widgets the corpus pages use, written for the corpus (not taken from any ATS):
// each one behaves the way the ATS's own widget does from the outside (what is in the DOM when, which
// events it answers), which is all the apply engine can see.
//
//  [data-widget=rselect]       a react-select style combobox: options exist only while the menu is open,
//                              typing filters them, the choice is shown in .select__single-value and kept
//                              in a hidden input.
//                              With data-delay-ms the options load late each time the menu opens (a
//                              "Loading..." notice until then, as react-select's async loadOptions); with
//                              data-min-chars a "Type to search" notice until that many letters are typed,
//                              then the matching options after the delay (Greenhouse's school search).
//  [data-widget=lazylist]      a listbox button (role=combobox on a div) whose options are fetched when it
//                              opens: a disabled "Loading…" option first, the real ones after data-delay-ms.
//  [data-widget=autocomplete]  a city/location autocomplete: suggestions appear only after typing (after a
//                              short delay, as if fetched), clicking one puts it in the input.
//  [data-widget=yesno]         a yes/no button group; the pressed button has aria-pressed=true and the
//                              answer is kept in a hidden input.
//  template[data-late-ms]      a question inserted into the form after a delay.
(function () {
  function on(el, type, fn) { el.addEventListener(type, fn); }
  function options(el) { try { return JSON.parse(el.getAttribute('data-options') || '[]'); } catch (e) { return []; } }

  document.querySelectorAll('[data-widget=rselect]').forEach(function (box) {
    var input = box.querySelector('input[role=combobox]');
    var single = box.querySelector('.select__single-value');
    var placeholder = box.querySelector('.select__placeholder');
    var hidden = box.querySelector('input[type=hidden]');
    var all = options(box);
    var listId = input.id + '-listbox';
    function close() { var m = box.querySelector('.select__menu'); if (m) m.remove(); input.setAttribute('aria-expanded', 'false'); }
    function choose(text) {
      single.textContent = text; if (placeholder) placeholder.style.display = 'none';
      hidden.value = text; input.value = ''; close();
      input.dispatchEvent(new Event('change', {bubbles: true}));
    }
    var delay = Number(box.getAttribute('data-delay-ms') || 0), minChars = Number(box.getAttribute('data-min-chars') || 0);
    var loading = null;
    function notice(menu, kind, text) {
      var n = document.createElement('div'); n.className = 'select__menu-notice select__menu-notice--' + kind;
      n.textContent = text; menu.appendChild(n);
    }
    function open() {
      close(); clearTimeout(loading);
      var menu = document.createElement('div'); menu.className = 'select__menu';
      box.appendChild(menu);
      input.setAttribute('aria-expanded', 'true');
      if (minChars && input.value.length < minChars) { notice(menu, 'no-options', 'Type to search'); return; }
      if (!delay) { render(menu); return; }
      notice(menu, 'loading', 'Loading...');
      loading = setTimeout(function () { if (menu.parentNode) { menu.innerHTML = ''; render(menu); } }, delay);
    }
    function render(menu) {
      var q = input.value.toLowerCase();
      var list = document.createElement('div'); list.className = 'select__menu-list'; list.setAttribute('role', 'listbox'); list.id = listId;
      all.filter(function (o) { return o.toLowerCase().indexOf(q) >= 0; }).forEach(function (o, i) {
        var d = document.createElement('div'); d.className = 'select__option'; d.setAttribute('role', 'option');
        d.id = input.id + '-option-' + i; d.textContent = o;
        on(d, 'mousedown', function (ev) { ev.preventDefault(); });
        on(d, 'click', function () { choose(o); });
        list.appendChild(d);
      });
      if (!list.children.length) { notice(menu, 'no-options', 'No options'); return; }
      menu.appendChild(list);
      input.setAttribute('aria-controls', listId);
    }
    on(box.querySelector('.select__control'), 'mousedown', function (ev) { if (ev.target !== input) ev.preventDefault(); input.focus(); open(); });
    on(input, 'focus', open);
    on(input, 'input', open);
    on(input, 'keydown', function (ev) {
      if (ev.key === 'Escape') close();
      if (ev.key === 'Enter') { var f = box.querySelector('.select__option'); if (f) { ev.preventDefault(); choose(f.textContent); } }
    });
    on(input, 'blur', function () { setTimeout(close, 0); });
  });

  document.querySelectorAll('[data-widget=autocomplete]').forEach(function (input) {
    var all = options(input);
    var hidden = input.parentElement.querySelector('input[type=hidden]');
    var list = document.getElementById(input.getAttribute('aria-controls'));
    var pending = null;
    function close() { list.innerHTML = ''; list.hidden = true; input.setAttribute('aria-expanded', 'false'); }
    on(input, 'input', function () {
      if (hidden) hidden.value = '';
      clearTimeout(pending);
      var q = input.value.toLowerCase();
      pending = setTimeout(function () {  // as if the suggestions were fetched
        list.innerHTML = '';
        if (q.length < 2) { close(); return; }
        all.filter(function (o) { return o.toLowerCase().indexOf(q) >= 0; }).forEach(function (o) {
          var li = document.createElement('li'); li.setAttribute('role', 'option'); li.textContent = o;
          on(li, 'mousedown', function (ev) { ev.preventDefault(); });
          on(li, 'click', function () { input.value = o; if (hidden) hidden.value = o; close(); input.dispatchEvent(new Event('change', {bubbles: true})); });
          list.appendChild(li);
        });
        list.hidden = !list.children.length; input.setAttribute('aria-expanded', list.hidden ? 'false' : 'true');
      }, 120);
    });
    on(input, 'blur', function () { setTimeout(close, 150); });
    close();
  });

  document.querySelectorAll('[data-widget=lazylist]').forEach(function (button) {
    var list = document.getElementById(button.getAttribute('aria-controls'));
    var hidden = button.parentElement.querySelector('input[type=hidden]');
    var all = options(button), timer = null;
    function close() { clearTimeout(timer); list.hidden = true; list.innerHTML = ''; button.setAttribute('aria-expanded', 'false'); }
    function open() {
      list.innerHTML = '<li role="option" aria-disabled="true" class="loading">Loading…</li>';
      list.hidden = false; button.setAttribute('aria-expanded', 'true');
      timer = setTimeout(function () {  // as if fetched from the server
        list.innerHTML = '';
        all.forEach(function (o) {
          var li = document.createElement('li'); li.setAttribute('role', 'option'); li.textContent = o;
          on(li, 'mousedown', function (ev) { ev.preventDefault(); });
          on(li, 'click', function () { button.querySelector('.value').textContent = o; hidden.value = o; close(); });
          list.appendChild(li);
        });
      }, Number(button.getAttribute('data-delay-ms') || 800));
    }
    on(button, 'click', function () { if (button.getAttribute('aria-expanded') === 'true') close(); else open(); });
    on(button, 'keydown', function (ev) { if (ev.key === 'Escape') close(); });
    close();
  });

  document.querySelectorAll('[data-widget=yesno]').forEach(function (group) {
    var hidden = group.querySelector('input[type=hidden]');
    group.querySelectorAll('button').forEach(function (b) {
      b.setAttribute('aria-pressed', 'false');
      on(b, 'click', function (ev) {
        ev.preventDefault();
        group.querySelectorAll('button').forEach(function (x) { x.setAttribute('aria-pressed', 'false'); x.classList.remove('_active'); });
        b.setAttribute('aria-pressed', 'true'); b.classList.add('_active'); hidden.value = b.textContent.trim();
      });
    });
  });

  document.querySelectorAll('template[data-late-ms]').forEach(function (t) {
    setTimeout(function () { t.parentNode.insertBefore(t.content.cloneNode(true), t); }, Number(t.getAttribute('data-late-ms')));
  });
})();
