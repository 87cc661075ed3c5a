
// Content that appears after load: a required question injected by script.
setTimeout(function () {
  var slot = document.getElementById('late-slot');
  slot.innerHTML = '<div class="row late-question"><label for="python_years">Years of Python experience *</label>' +
    '<input type="number" id="python_years" name="python_years" min="0" max="50" required></div>';
}, 600);
// The custom (div-based) dropdown.
var dd = document.getElementById('education-dropdown');
var menu = dd.querySelector('.dropdown-menu');
dd.addEventListener('click', function (ev) {
  var li = ev.target.closest('li');
  if (li) {
    dd.querySelector('input[type=hidden]').value = li.getAttribute('data-value');
    dd.querySelector('.dropdown-value').textContent = li.textContent;
    menu.hidden = true; dd.setAttribute('aria-expanded', 'false');
    document.getElementById('education-error').hidden = true;
  } else { menu.hidden = !menu.hidden; dd.setAttribute('aria-expanded', String(!menu.hidden)); }
});
dd.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); menu.hidden = false; } });
document.getElementById('apply').addEventListener('submit', function (ev) {
  if (!dd.querySelector('input[type=hidden]').value) {
    ev.preventDefault(); document.getElementById('education-error').hidden = false; return;
  }
  // Copy the fields of the iframe section into this form.
  var doc = document.getElementById('links-frame').contentDocument;
  ['linkedin', 'github'].forEach(function (k) {
    var src = doc && doc.getElementById(k);
    document.querySelector('input[name="links[' + k + ']"]').value = src ? src.value : '';
  });
});
