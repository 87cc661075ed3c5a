
(function () {
  var spec = JSON.parse(document.getElementById('__appData').textContent);
  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text) n.textContent = text; return n;
  }
  function render() {
    var root = document.getElementById('root');
    var c = el('div', {'class': 'ashby-application-form-container'});
    c.appendChild(el('h1', {'class': 'ashby-job-posting-heading'}, spec.title));
    var tabs = el('div', {'class': 'ashby-job-posting-tabs'}); tabs.appendChild(el('a', {href: spec.overview}, 'Overview'));
    tabs.appendChild(el('span', {'class': 'active'}, ' Application')); c.appendChild(tabs);
    spec.fields.forEach(function (f) {
      var entry = el('div', {'class': 'ashby-application-form-field-entry'});
      if (f.kind === 'file' && f.name === '_systemfield_resume') {
        var auto = el('div', {'class': 'ashby-application-form-autofill-input-root'});
        auto.appendChild(el('p', {'class': 'ashby-application-form-autofill-input-title'}, 'Autofill from resume'));
        auto.appendChild(el('p', {}, 'Upload your resume here to autofill key application fields.'));
        var ab = el('div', {'class': 'ashby-application-form-autofill-uploader'});
        ab.appendChild(el('button', {type: 'button', 'class': 'ashby-autofill-button'}, 'Upload file'));
        ab.appendChild(el('input', {type: 'file', id: '_autofill_resume_input', 'class': 'ashby-hidden-file-input'}));
        auto.appendChild(ab); c.appendChild(auto);
      }
      if (f.kind === 'radio') {
        var fs = el('fieldset', {'class': 'ashby-application-form-question', id: f.name + '-group'});
        var lg = el('legend', {'class': 'ashby-application-form-question-title'}, f.label);
        if (f.required) lg.appendChild(el('span', {'class': 'required'}, '*'));
        fs.appendChild(lg);
        f.options.forEach(function (o, i) {
          var w = el('span', {'class': '_option'});
          var r = el('input', {type: 'radio', name: f.name, id: f.name + '-' + i, value: o[0]});
          w.appendChild(r); w.appendChild(el('label', {'for': f.name + '-' + i}, o[1])); fs.appendChild(w);
        });
        entry.appendChild(fs);
      } else {
        var lab = el('label', {'class': 'ashby-application-form-question-title', 'for': f.name}, f.label);
        if (f.required) lab.appendChild(el('span', {'class': 'required'}, '*'));
        entry.appendChild(lab);
        var input;
        if (f.kind === 'file') {
          var up = el('div', {'class': 'ashby-application-form-file-upload'});
          up.appendChild(el('button', {type: 'button'}, 'Upload File'));
          up.appendChild(el('span', {}, ' or drag and drop here'));
          input = el('input', {type: 'file', id: f.name, 'class': 'ashby-hidden-file-input'});
          up.appendChild(input); entry.appendChild(up);
        } else if (f.kind === 'select') {
          input = el('select', {id: f.name}); input.appendChild(el('option', {value: ''}, 'Select...'));
          f.options.forEach(function (o) { input.appendChild(el('option', {value: o[0]}, o[1])); });
          entry.appendChild(input);
        } else if (f.kind === 'textarea') {
          input = el('textarea', {id: f.name}); entry.appendChild(input);
        } else {
          input = el('input', {type: f.kind === 'email' ? 'email' : (f.kind === 'tel' ? 'tel' : 'text'), id: f.name});
          entry.appendChild(input);
        }
      }
      c.appendChild(entry);
    });
    var errors = el('div', {'class': 'ashby-application-form-errors', role: 'alert'}); c.appendChild(errors);
    var btn = el('button', {type: 'button', 'class': 'ashby-application-form-submit-button'}, 'Submit Application');
    c.appendChild(btn);
    root.innerHTML = ''; root.appendChild(c);
    btn.addEventListener('click', function () {
      var data = new FormData(); var missing = [];
      spec.fields.forEach(function (f) {
        var v = '';
        if (f.kind === 'radio') {
          var r = document.querySelector('input[name="' + f.name + '"]:checked'); v = r ? r.value : '';
          if (v) data.append(f.name, v);
        } else if (f.kind === 'file') {
          var fi = document.getElementById(f.name); if (fi.files.length) { v = 'x'; data.append(f.name, fi.files[0]); }
        } else { v = document.getElementById(f.name).value.trim(); data.append(f.name, v); }
        if (f.required && !v) missing.push(f.label);
      });
      var auto = document.getElementById('_autofill_resume_input');
      if (auto.files.length) data.append('_autofill_resume', auto.files[0]);
      errors.innerHTML = '';
      if (missing.length) {
        missing.forEach(function (m) { errors.appendChild(el('p', {}, 'Missing entry for required field: ' + m)); });
        return;
      }
      btn.disabled = true; btn.textContent = 'Submitting...';
      fetch(spec.submit, {method: 'POST', body: data})
        .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
        .then(function () {
          root.innerHTML = '<div class="ashby-application-form-success-container"><h2>Success</h2>' +
            '<p>Thanks for submitting your application. We\'ll be in touch soon!</p></div>';
        })
        .catch(function () {
          btn.disabled = false; btn.textContent = 'Submit Application';
          errors.appendChild(el('p', {}, 'Your application could not be submitted. Please try again.'));
        });
    });
  }
  setTimeout(render, spec.renderDelayMs);
})();
