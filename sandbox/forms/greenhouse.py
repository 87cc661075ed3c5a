"""Greenhouse application forms: the legacy ``boards.greenhouse.io`` page and the React ``job-boards`` page with
its comboboxes.
"""

from __future__ import annotations

import json

from sandbox.forms.common import _custom, _eeo, _gh_answer_name, description_block, e, page, static_text
from sandbox.seed import Job
from sandbox.urls import job_page_url, submit_path


def greenhouse_legacy(base: str, job: Job, action_query: str = "", error: str = "") -> str:
    def opt_select(name: str, fid: str, opts: list[tuple[str, str]], required: bool) -> str:
        o = "".join(f'<option value="{e(v)}">{e(t)}</option>' for v, t in opts)
        req = ' aria-required="true"' if required else ""
        return f'<select id="{e(fid)}" name="{e(name)}"{req}><option value="">--</option>{o}</select>'

    star = ' <span class="asterisk">*</span>'
    rows = [
        f'<div class="field"><label for="first_name">First Name{star}</label>'
        '<input type="text" id="first_name" name="job_application[first_name]" aria-required="true" '
        'autocomplete="given-name"></div>',
        f'<div class="field"><label for="last_name">Last Name{star}</label>'
        '<input type="text" id="last_name" name="job_application[last_name]" aria-required="true" '
        'autocomplete="family-name"></div>',
        f'<div class="field"><label for="email">Email{star}</label>'
        '<input type="text" id="email" name="job_application[email]" aria-required="true"></div>',
        f'<div class="field"><label for="phone">Phone{star}</label>'
        '<input type="text" id="phone" name="job_application[phone]" aria-required="true"></div>',
        f'<div class="field" id="resume_fieldset"><label for="resume">Resume/CV{star}</label>'
        '<div class="drop-zone">Attach, Dropbox, Google Drive, or enter manually '
        '<input type="file" id="resume" name="job_application[resume]" aria-required="true" '
        'accept=".pdf,.doc,.docx,.txt,.rtf"></div><div class="field-error-msg" hidden>This field is required.</div>'
        '<div class="allowed-filetypes">(File types: pdf, doc, docx, txt, rtf)</div></div>',
        '<div class="field" id="cover_letter_fieldset"><label for="cover_letter">Cover Letter</label>'
        '<input type="file" id="cover_letter" name="job_application[cover_letter]" accept=".pdf,.doc,.docx,.txt,.rtf">'
        '<textarea id="cover_letter_text" name="job_application[cover_letter_text]" '
        'placeholder="or paste your cover letter" aria-label="Cover Letter text"></textarea></div>',
    ]
    custom = []
    for n, q in _custom(job):
        name, opts = _gh_answer_name(n, q)
        fid = name.replace("][", "_").replace("[", "_").replace("]", "")
        s = star if q.required else ""
        req = ' aria-required="true"' if q.required else ""
        if opts:
            control = opt_select(name, fid, opts, q.required)
        elif q.kind == "textarea":
            control = f'<textarea id="{fid}" name="{e(name)}"{req}></textarea>'
        else:
            control = f'<input type="text" id="{fid}" name="{e(name)}"{req}>'
        custom.append(
            # Legacy Greenhouse wraps custom questions in their label.
            f'<div class="field"><label>{e(q.label)}{s}<br>{control}</label>'
            f'<input type="hidden" name="job_application[answers_attributes][{n}][question_id]" value="{9000 + n}">'
            f'<input type="hidden" name="job_application[answers_attributes][{n}][priority]" value="{n}">'
            '<div class="field-error-msg" hidden>This field is required.</div></div>'
        )
    eeo = ""
    if _eeo(job):
        parts = []
        for q in _eeo(job):
            opts = [(str(i + 1), o) for i, o in enumerate(q.options)]
            fid = f"job_application_{q.key}"
            parts.append(f'<div class="field"><label for="{fid}">{e(q.label)}</label>'
                         f'{opt_select(f"job_application[{q.key}]", fid, opts, False)}</div>')
        eeo = ('<div id="eeoc_fields"><h3>U.S. Equal Opportunity Employment Information</h3>'
               f'<p>Completion of this section is voluntary.</p>{"".join(parts)}</div>')
    err = f'<div id="error_message" class="error">{e(error)}</div>' if error else ""
    action = submit_path(job) + action_query
    body = (
        '<div id="app_body"><div id="header">'
        f'<h1 class="app-title">{e(job.title)}</h1><div class="company-name">at {e(job.company.name)}</div>'
        f'<div class="location">{e(job.location)}</div></div>'
        f'<div id="content">{description_block(job)}</div>'
        '<div id="application"><h2 class="heading">Apply for this Job</h2>'
        '<div class="required-fields"><span class="asterisk">*</span> Required</div>'
        f'{err}<form id="application_form" method="post" action="{e(action)}" enctype="multipart/form-data" novalidate>'
        f'{"".join(rows)}{"".join(custom)}{eeo}'
        '<div id="submit_buttons"><input type="submit" id="submit_app" value="Submit Application" class="btn"></div>'
        '</form></div></div>'
    )
    script = """<script>
document.getElementById('application_form').addEventListener('submit', function (ev) {
  var bad = false;
  this.querySelectorAll('[aria-required=true]').forEach(function (el) {
    var empty = el.type === 'file' ? el.files.length === 0 : !el.value.trim();
    var msg = el.closest('.field').querySelector('.field-error-msg');
    if (empty) { bad = true; el.classList.add('error'); if (msg) msg.hidden = false; }
    else { el.classList.remove('error'); if (msg) msg.hidden = true; }
  });
  if (bad) { ev.preventDefault(); }
});
</script>"""
    return page(f"Job Application for {job.title} at {job.company.name}", body + script)


def greenhouse_confirmation(job: Job) -> str:
    body = (
        '<div id="app_body"><div id="application_confirmation">'
        '<h1>Thank you for applying.</h1>'
        f'<p>Your application has been received. If your application seems like a good fit for the position '
        f'we will contact you soon.</p><p>Regards,<br>{e(job.company.name)}</p></div></div>'
    )
    return page(f"Thank you for applying to {job.company.name}", body)


COMBOBOX_JS = static_text("greenhouse_combobox.js")


def greenhouse_react(base: str, job: Job, action_query: str = "") -> str:
    req_mark = '<span class="required" aria-hidden="true">*</span>'

    def text_field(fid: str, label: str, kind: str = "text", required: bool = True, auto: str = "") -> str:
        req = ' aria-required="true" required' if required else ""
        tag = (f'<textarea id="{fid}" name="{fid}" class="input"{req}></textarea>' if kind == "textarea" else
               f'<input id="{fid}" name="{fid}" type="{kind}" class="input" autocomplete="{auto or "off"}"{req}>')
        return (f'<div class="input-wrapper field"><label id="{fid}-label" for="{fid}" class="label">'
                f'{e(label)}{req_mark if required else ""}</label>{tag}'
                f'<p class="helper-text--error" id="{fid}-error" hidden>This field is required.</p></div>')

    def combobox(fid: str, label: str, options: tuple[str, ...], required: bool) -> str:
        req = ' aria-required="true"' if required else ""
        return (f'<div class="select field" data-options="{e(json.dumps(list(options)))}">'
                f'<label id="{fid}-label" for="{fid}" class="label select__label">{e(label)}'
                f'{req_mark if required else ""}</label>'
                '<div class="select__container"><div class="select__control">'
                '<div class="select__single-value"></div>'
                f'<input id="{fid}" role="combobox" type="text" class="select__input" autocomplete="off" '
                f'aria-autocomplete="list" aria-expanded="false" aria-haspopup="true" '
                f'aria-labelledby="{fid}-label"{req}>'
                '<button type="button" class="select__indicator" tabindex="-1" aria-label="Toggle flyout">▾</button>'
                f'</div></div><input type="hidden" name="{fid}" value="">'
                f'<p class="helper-text--error" id="{fid}-error" hidden>This field is required.</p></div>')

    def upload(fid: str, label: str, required: bool) -> str:
        req = ' aria-required="true"' if required else ""
        return (f'<div class="file-upload field" role="group" aria-labelledby="upload-label-{fid}">'
                f'<div id="upload-label-{fid}" class="label upload-label">{e(label)}{req_mark if required else ""}</div>'
                f'<div class="file-upload__wrapper"><label for="{fid}" class="btn btn--pill">Attach</label>'
                f'<input id="{fid}" name="{fid}" type="file" class="visually-hidden"{req} '
                'accept=".pdf,.doc,.docx,.txt,.rtf"><span class="file-upload__filename"></span></div>'
                '<p class="file-upload__types">Accepted file types: pdf, doc, docx, txt, rtf</p>'
                f'<p class="helper-text--error" id="{fid}-error" hidden>This field is required.</p></div>')

    parts = [text_field("first_name", "First Name", auto="given-name"),
             text_field("last_name", "Last Name", auto="family-name"),
             text_field("email", "Email", "email", auto="email"),
             text_field("phone", "Phone", "tel", auto="tel"),
             upload("resume", "Resume/CV", True),
             upload("cover_letter", "Cover Letter", False)]
    for n, q in _custom(job):
        fid = f"question_{9000 + n}"
        if q.kind in ("select", "radio"):
            parts.append(combobox(fid, q.label, q.options, q.required))
        else:
            parts.append(text_field(fid, q.label, "textarea" if q.kind == "textarea" else "text", q.required))
    eeo = "".join(combobox(q.key, q.label, q.options, False) for q in _eeo(job))
    if eeo:
        eeo = ('<div class="eeoc__container"><h3 class="section-header">Voluntary Self-Identification</h3>'
               f'<p>Providing this information is optional.</p>{eeo}</div>')
    action = submit_path(job) + action_query
    confirm = job_page_url("", job) + "/confirmation"
    body = (
        '<div class="job__header"><div class="job__title">'
        f'<h1 class="section-header">{e(job.title)}</h1><p class="job__location">{e(job.location)}</p></div>'
        '<a href="#application-form" class="btn">Apply</a></div>'
        f'<main><div class="job__description body">{job.description_html()}</div>'
        '<div class="application--container"><h2 class="section-header">Apply for this job</h2>'
        '<p class="application--required"><span class="required">*</span> indicates a required field</p>'
        f'<form id="application-form" class="application--form" novalidate data-action="{e(action)}">'
        f'{"".join(parts)}{eeo}'
        '<div class="application--submit"><button type="submit" class="btn btn--pill">Submit application</button></div>'
        '<div id="submit-error" class="error" hidden></div></form></div></main>'
    )
    script = f"""<script>{COMBOBOX_JS}
document.querySelectorAll('input[type=file]').forEach(function (f) {{
  f.addEventListener('change', function () {{
    f.parentNode.querySelector('.file-upload__filename').textContent = f.files.length ? f.files[0].name : '';
  }});
}});
var form = document.getElementById('application-form');
form.addEventListener('submit', function (ev) {{
  ev.preventDefault();
  var bad = [];
  form.querySelectorAll('[aria-required=true]').forEach(function (el) {{
    var value = el.getAttribute('role') === 'combobox' ? el.closest('.select').querySelector('input[type=hidden]').value
              : (el.type === 'file' ? (el.files.length ? 'x' : '') : el.value.trim());
    var err = document.getElementById(el.id + '-error');
    if (!value) {{ bad.push(el.id); if (err) err.hidden = false; el.setAttribute('aria-invalid', 'true'); }}
    else {{ if (err) err.hidden = true; el.removeAttribute('aria-invalid'); }}
  }});
  if (bad.length) return;
  var button = form.querySelector('button[type=submit]'); button.disabled = true;
  fetch(form.getAttribute('data-action'), {{method: 'POST', body: new FormData(form)}})
    .then(function (r) {{ if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); }})
    .then(function () {{
      history.pushState({{}}, '', {json.dumps(confirm)});
      document.querySelector('main').innerHTML = '<div id="confirmation" class="confirmation"><h1 class="section-header">Thank you for applying.</h1>' +
        '<p>Your application has been received. We will review it and reach out if there is a fit.</p></div>';
    }})
    .catch(function (err) {{
      button.disabled = false;
      var box = document.getElementById('submit-error'); box.hidden = false;
      box.textContent = 'There was an error submitting your application. Please try again.';
    }});
}});
</script>"""
    return page(f"Job Application for {job.title} at {job.company.name}", body + script,
                css=".select__control{display:flex;max-width:520px;border:1px solid #999;border-radius:3px}"
                    ".select__single-value{padding:6px;white-space:nowrap}.select__input{border:0!important}"
                    ".select__menu{border:1px solid #999;max-width:520px;background:#fff}"
                    ".select__option{padding:6px;cursor:pointer}.select__option--is-focused{background:#def}"
                    ".select__indicator{background:#eee;color:#333;padding:4px 10px}")


def greenhouse_react_confirmation(job: Job) -> str:
    return page(f"Thank you for applying to {job.company.name}",
                '<main><div id="confirmation" class="confirmation"><h1 class="section-header">Thank you for '
                'applying.</h1><p>Your application has been received.</p></div></main>')
