"""Application forms that behave like the real ATSes' forms.

Each style turns a job's questions into the markup, field names and quirks of one ATS (Greenhouse
legacy and React, Lever, Ashby, a company's own careers form). :func:`field_specs` tells the server
which submitted names are required and how to turn option values back into the text a person chose, so
a recorded submission can be checked against the answers the apply engine meant to send.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape

from sandbox.seed import Job, Question, stable_uuid
from sandbox.urls import apply_url, job_page_url, submit_path


@dataclass
class FieldSpec:
    """One submitted field: its form name, the label a person sees, and whether it is required."""

    name: str
    label: str
    kind: str
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)  # (submitted value, visible text)

    def text_for(self, value: str) -> str:
        for v, t in self.options:
            if v == value:
                return t
        return value


def e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


# --- page chrome --------------------------------------------------------------------------------------

BASE_CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#222;background:#fff}
main,#app_body,.wrap{max-width:760px;margin:0 auto;padding:24px}
.field,.application-question,.ashby-application-form-field-entry,.row{margin:14px 0}
label,.label{display:block;font-weight:600;margin-bottom:4px}
input[type=text],input[type=email],input[type=tel],input[type=url],input[type=number],textarea,select{
 width:100%;max-width:520px;padding:6px;border:1px solid #999;border-radius:3px;font-size:14px;box-sizing:border-box}
textarea{min-height:70px}
.asterisk,.required{color:#c00}
button,.btn{background:#1a5;color:#fff;border:0;padding:10px 18px;border-radius:4px;font-size:15px;cursor:pointer}
.error,.field-error-msg,.helper-text--error{color:#c00;font-size:13px}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
"""


def page(title: str, body: str, *, head: str = "", css: str = "") -> str:
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{e(title)}</title><style>{BASE_CSS}{css}</style>{head}</head>"
        f"<body>{body}</body></html>"
    )


def description_block(job: Job) -> str:
    return f'<div class="job-description">{job.description_html()}</div>'


# --- field specs per style ----------------------------------------------------------------------------


def _custom(job: Job) -> list[tuple[int, Question]]:
    return [(n, q) for n, q in enumerate(q for q in job.questions if q.section != "eeo")]


def _eeo(job: Job) -> list[Question]:
    return [q for q in job.questions if q.section == "eeo"]


def _gh_answer_name(n: int, q: Question) -> tuple[str, list[tuple[str, str]]]:
    """Legacy Greenhouse answer field name and option values for custom question ``n``."""
    base = f"job_application[answers_attributes][{n}]"
    if q.kind in ("select", "radio") and tuple(q.options) == ("Yes", "No"):
        return f"{base}[boolean_value]", [("1", "Yes"), ("0", "No")]
    if q.kind in ("select", "radio"):
        return (f"{base}[answer_selected_options_attributes][0][question_option_id]",
                [(str(7000 + 10 * n + i), o) for i, o in enumerate(q.options)])
    return f"{base}[text_value]", []


def _lever_card_id(job: Job) -> str:
    return stable_uuid("lever-card", job.key)


def _ashby_id(job: Job, key: str) -> str:
    return stable_uuid("ashby-field", job.key, key)


def field_specs(job: Job) -> list[FieldSpec]:
    """Every field the job's form submits, under the name the form posts it with."""
    specs: list[FieldSpec] = []
    if job.ats == "greenhouse":
        specs += [FieldSpec("job_application[first_name]", "First Name", "text", True),
                  FieldSpec("job_application[last_name]", "Last Name", "text", True),
                  FieldSpec("job_application[email]", "Email", "email", True),
                  FieldSpec("job_application[phone]", "Phone", "tel", True),
                  FieldSpec("job_application[resume]", "Resume/CV", "file", True),
                  FieldSpec("job_application[cover_letter]", "Cover Letter", "file", False),
                  FieldSpec("job_application[cover_letter_text]", "Cover Letter (text)", "textarea", False)]
        for n, q in _custom(job):
            name, opts = _gh_answer_name(n, q)
            specs.append(FieldSpec(name, q.label, "select" if opts else q.kind, q.required, opts))
        for q in _eeo(job):
            specs.append(FieldSpec(f"job_application[{q.key}]", q.label, "select", False,
                                   [(str(i + 1), o) for i, o in enumerate(q.options)]))
    elif job.ats == "greenhouse_react":
        specs += [FieldSpec("first_name", "First Name", "text", True),
                  FieldSpec("last_name", "Last Name", "text", True),
                  FieldSpec("email", "Email", "email", True),
                  FieldSpec("phone", "Phone", "tel", True),
                  FieldSpec("resume", "Resume/CV", "file", True),
                  FieldSpec("cover_letter", "Cover Letter", "file", False)]
        for n, q in _custom(job):
            kind = "combobox" if q.kind in ("select", "radio") else q.kind
            specs.append(FieldSpec(f"question_{9000 + n}", q.label, kind, q.required,
                                   [(o, o) for o in q.options]))
        for q in _eeo(job):
            specs.append(FieldSpec(q.key, q.label, "combobox", False, [(o, o) for o in q.options]))
    elif job.ats == "lever":
        specs += [FieldSpec("resume", "Resume/CV", "file", True),
                  FieldSpec("name", "Full name", "text", True),
                  FieldSpec("email", "Email", "email", True),
                  FieldSpec("phone", "Phone", "tel", False),
                  FieldSpec("location", "Current location", "text", False),
                  FieldSpec("org", "Current company", "text", False),
                  FieldSpec("urls[LinkedIn]", "LinkedIn URL", "url", False),
                  FieldSpec("urls[GitHub]", "GitHub URL", "url", False),
                  FieldSpec("urls[Portfolio]", "Portfolio URL", "url", False)]
        card = _lever_card_id(job)
        for i, q in enumerate(q for _, q in _custom(job) if q.key != "linkedin"):
            specs.append(FieldSpec(f"cards[{card}][field{i}]", q.label, q.kind, q.required,
                                   [(o, o) for o in q.options]))
        specs.append(FieldSpec("comments", "Additional information", "textarea", False))
        lever_eeo = {"gender": "eeo[gender]", "race": "eeo[race]", "veteran_status": "eeo[veteran]",
                     "disability_status": "eeo[disability]"}
        for q in _eeo(job):
            specs.append(FieldSpec(lever_eeo[q.key], q.label, "select", False, [(o, o) for o in q.options]))
    elif job.ats == "ashby":
        specs += [FieldSpec("_systemfield_name", "Name", "text", True),
                  FieldSpec("_systemfield_email", "Email", "email", True),
                  FieldSpec(_ashby_id(job, "phone"), "Phone", "tel", False),
                  FieldSpec("_systemfield_resume", "Resume", "file", True)]
        for _, q in _custom(job):
            kind = "radio" if q.kind in ("radio", "select") and len(q.options) == 2 else q.kind
            specs.append(FieldSpec(_ashby_id(job, q.key), q.label, kind, q.required, [(o, o) for o in q.options]))
    elif job.ats == "generic":
        specs += GENERIC_SPECS
    return specs


GENERIC_SPECS = [
    FieldSpec("fullName", "Full name", "text", True),
    FieldSpec("email", "Email address", "email", True),
    FieldSpec("mobile", "Mobile number", "tel", True),
    FieldSpec("ctc_current", "Current CTC (in LPA)", "text", False),
    FieldSpec("ctc_expected", "Expected CTC (in LPA)", "text", False),
    FieldSpec("notice", "Notice period", "select", True,
              [("", "Select"), ("0", "Immediate"), ("15", "15 days"), ("30", "30 days"), ("60", "60 days"),
               ("90", "90 days")]),
    FieldSpec("relocate", "Are you willing to relocate to Chennai?", "radio", True, [("yes", "Yes"), ("no", "No")]),
    FieldSpec("tools", "Which of these have you used in production?", "checkboxes", False,
              [("python", "Python"), ("sql", "SQL"), ("docker", "Docker"), ("airflow", "Airflow")]),
    FieldSpec("education", "Highest qualification", "dropdown", True,
              [("btech", "B.Tech / B.E."), ("mtech", "M.Tech / M.E."), ("mca", "MCA"), ("bsc", "B.Sc"),
               ("other", "Other")]),
    FieldSpec("python_years", "Years of Python experience", "number", True),
    FieldSpec("cv", "Upload CV", "file", True),
    FieldSpec("links[linkedin]", "LinkedIn URL", "url", False),
    FieldSpec("links[github]", "GitHub URL", "url", False),
    FieldSpec("declaration", "I confirm the above is true", "checkbox", True, [("yes", "checked")]),
]


# --- Greenhouse legacy (boards.greenhouse.io) --------------------------------------------------------


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


# --- Greenhouse current React "job-boards" ------------------------------------------------------------

COMBOBOX_JS = """
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
"""


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


# --- Lever --------------------------------------------------------------------------------------------


def lever_posting_page(base: str, job: Job) -> str:
    body = (
        '<div class="main-header-content"><div class="posting-headline">'
        f'<h2>{e(job.title)}</h2><div class="posting-categories">'
        f'<div class="location">{e(job.location)}</div><div class="department">{e(job.department)} – {e(job.team)}</div>'
        f'<div class="commitment">{e(job.commitment)}</div><div class="workplaceTypes">{e(job.workplace)}</div></div></div>'
        f'<a class="postings-btn template-btn-submit" href="{e(apply_url("", job))}">Apply for this job</a></div>'
        f'<div class="wrap"><div class="section page-centered">{job.description_html()}</div></div>'
    )
    return page(f"{job.company.name} - {job.title}", body)


def lever_form(base: str, job: Job, action_query: str = "") -> str:
    req = '<span class="required">✱</span>'

    def wrapped(name: str, label: str, kind: str = "text", required: bool = False) -> str:
        r = " required" if required else ""
        return (f'<li class="application-question"><label><div class="application-label">{e(label)}'
                f'{req if required else ""}</div><div class="application-field">'
                f'<input type="{kind}" name="{e(name)}"{r}></div></label></li>')

    specs = [s for s in field_specs(job) if s.name.startswith("cards[")]
    card = _lever_card_id(job)
    template = {"id": card, "text": "Additional questions", "fields": [
        {"type": {"textarea": "textarea", "radio": "multiple-choice", "select": "dropdown"}.get(s.kind, "text"),
         "text": s.label, "description": "", "required": s.required,
         "options": [{"text": t} for _, t in s.options]} for s in specs]}
    card_rows = []
    for _i, s in enumerate(specs):
        r = " required" if s.required else ""
        if s.kind == "radio":
            control = "<ul data-qa=\"multiple-choice\">" + "".join(
                f'<li><label><input type="radio" name="{e(s.name)}" value="{e(v)}"{r}>'
                f'<span class="application-answer-alternative">{e(t)}</span></label></li>' for v, t in s.options) + "</ul>"
        elif s.kind == "select":
            control = (f'<select name="{e(s.name)}"{r}><option value="">Select ...</option>'
                       + "".join(f'<option value="{e(v)}">{e(t)}</option>' for v, t in s.options) + "</select>")
        elif s.kind == "textarea":
            control = f'<textarea name="{e(s.name)}" class="card-field-input"{r}></textarea>'
        else:
            control = f'<input type="text" name="{e(s.name)}" class="card-field-input"{r}>'
        # No <label for>: the question text sits in a sibling div, as on real Lever cards.
        card_rows.append(f'<li class="application-question custom-question"><div class="application-label full-width">'
                         f'<div class="text">{e(s.label)}{req if s.required else ""}</div></div>'
                         f'<div class="application-field full-width">{control}</div></li>')
    eeo_rows = []
    for s in field_specs(job):
        if s.name.startswith("eeo["):
            opts = "".join(f'<option value="{e(v)}">{e(t)}</option>' for v, t in s.options)
            eeo_rows.append(f'<li class="application-question"><label><div class="application-label">{e(s.label)}</div>'
                            f'<div class="application-field"><select name="{e(s.name)}"><option value="">Select ...</option>'
                            f'{opts}</select></div></label></li>')
    action = submit_path(job) + action_query
    body = (
        f'<div class="wrap"><div class="posting-header"><h2>{e(job.title)}</h2>'
        f'<div class="posting-categories"><div class="location">{e(job.location)}</div></div></div>'
        f'<form id="application-form" method="POST" action="{e(action)}" enctype="multipart/form-data">'
        '<div class="section application-form"><h4>Submit your application</h4><ul>'
        '<li class="application-question resume"><label><div class="application-label">Resume/CV'
        f'{req}</div><div class="application-field"><a class="postings-btn template-btn-utility visible-resume-upload">'
        '<span class="default-label">ATTACH RESUME/CV</span><input type="file" name="resume" id="resume-upload-input" '
        'class="application-file-input" required></a><span class="filename"></span></div></label></li>'
        f'{wrapped("name", "Full name", required=True)}{wrapped("email", "Email", "email", True)}'
        f'{wrapped("phone", "Phone", "tel")}{wrapped("location", "Current location")}'
        f'{wrapped("org", "Current company")}</ul></div>'
        '<div class="section application-form"><h4>Links</h4><ul>'
        f'{wrapped("urls[LinkedIn]", "LinkedIn URL", "url")}{wrapped("urls[GitHub]", "GitHub URL", "url")}'
        f'{wrapped("urls[Portfolio]", "Portfolio URL", "url")}</ul></div>'
        f'<div class="section application-form custom-card"><h4>{e(template["text"])}</h4>'
        f'<input type="hidden" name="cards[{card}][baseTemplate]" value="{e(json.dumps(template))}">'
        f'<ul>{"".join(card_rows)}</ul></div>'
        '<div class="section application-additional"><h4>Additional information</h4>'
        '<textarea name="comments" placeholder="Add a cover letter or anything else you want to share."></textarea></div>'
        + (f'<div class="section application-form eeo-section"><h4>U.S. Equal Employment Opportunity information '
           f'(Completion is voluntary)</h4><ul>{"".join(eeo_rows)}</ul></div>' if eeo_rows else "")
        + '<div class="section last-section-submit"><button id="btn-submit" type="submit" class="postings-btn template-btn-submit">'
        'Submit application</button></div></form></div>'
    )
    script = """<script>
var f = document.getElementById('resume-upload-input');
f.addEventListener('change', function () { document.querySelector('.filename').textContent = f.files.length ? f.files[0].name : ''; });
</script>"""
    return page(f"{job.company.name} - {job.title}", body + script)


def lever_thanks(job: Job) -> str:
    return page(f"{job.company.name} - Application submitted",
                '<div class="wrap"><div class="section page-centered application-confirmation">'
                '<h3 data-qa="msg-submit-success">Application submitted!</h3>'
                f'<p>Thank you for your interest in {e(job.company.name)}. We\'ll review your application and '
                'reach out if there is a fit.</p></div></div>')


# --- Ashby --------------------------------------------------------------------------------------------


def ashby_posting_page(base: str, job: Job) -> str:
    body = (
        f'<div class="wrap"><h1 class="ashby-job-posting-heading">{e(job.title)}</h1>'
        f'<div class="ashby-job-posting-left-pane">{e(job.location)} · {e(job.department)} · {e(job.commitment)}</div>'
        f'<nav><a href="{e(job_page_url("", job))}">Overview</a> | <a href="{e(apply_url("", job))}">Application</a></nav>'
        f'{description_block(job)}<a class="btn" href="{e(apply_url("", job))}">Apply for this Job</a></div>'
    )
    return page(f"{job.title} @ {job.company.name}", body)


ASHBY_JS = """
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
            '<p>Thanks for submitting your application. We\\'ll be in touch soon!</p></div>';
        })
        .catch(function () {
          btn.disabled = false; btn.textContent = 'Submit Application';
          errors.appendChild(el('p', {}, 'Your application could not be submitted. Please try again.'));
        });
    });
  }
  setTimeout(render, spec.renderDelayMs);
})();
"""


def ashby_form(base: str, job: Job, action_query: str = "", render_delay_ms: int = 300) -> str:
    spec = {
        "title": job.title,
        "overview": job_page_url("", job),
        "submit": submit_path(job) + action_query,
        "renderDelayMs": render_delay_ms,
        "fields": [{"name": s.name, "label": s.label, "kind": s.kind, "required": s.required,
                    "options": s.options} for s in field_specs(job)],
    }
    data = json.dumps(spec).replace("</", "<\\/")
    body = (f'<div id="root"><div class="ashby-loading">Loading…</div></div>'
            f'<script id="__appData" type="application/json">{data}</script><script>{ASHBY_JS}</script>')
    return page(f"{job.title} @ {job.company.name}", body)


# --- a company's own careers form ---------------------------------------------------------------------


def generic_posting_page(base: str, job: Job) -> str:
    body = (f'<div class="wrap"><header><strong>{e(job.company.name)} Careers</strong></header>'
            f'<h1>{e(job.title)}</h1><p class="meta">{e(job.location)}</p>{description_block(job)}'
            f'<p><a class="btn" href="{e(apply_url("", job))}">Apply now</a></p></div>')
    return page(f"{job.title} | {job.company.name} Careers", body)


GENERIC_JS = """
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
"""


def generic_form(base: str, job: Job, action_query: str = "") -> str:
    action = submit_path(job) + action_query
    frame = apply_url("", job) + "/links"
    notice = "".join(f'<option value="{e(v)}">{e(t)}</option>' for v, t in GENERIC_SPECS[5].options)
    tools = "".join(f'<label class="inline"><input type="checkbox" name="tools" value="{v}"> {e(t)}</label>'
                    for v, t in GENERIC_SPECS[7].options)
    edu = "".join(f'<li role="option" data-value="{v}">{e(t)}</li>' for v, t in GENERIC_SPECS[8].options)
    body = (
        f'<div class="wrap"><header><strong>{e(job.company.name)} Careers</strong></header>'
        f'<h1>Apply: {e(job.title)}</h1>'
        f'<form id="apply" method="post" action="{e(action)}" enctype="multipart/form-data">'
        # label by for=
        '<div class="row"><label for="fullName">Full name *</label><input type="text" id="fullName" name="fullName" required></div>'
        # wrapping label
        '<div class="row"><label>Email address * <input type="email" name="email" required></label></div>'
        # aria-labelledby
        '<div class="row"><span id="lbl-mobile" class="label">Mobile number *</span>'
        '<input type="tel" name="mobile" aria-labelledby="lbl-mobile" required></div>'
        # nearby text only
        '<div class="row"><div class="caption">Current CTC (in LPA)</div><input type="text" name="ctc_current"></div>'
        '<div class="row"><p class="caption">Expected CTC (in LPA)</p><input type="text" name="ctc_expected"></div>'
        f'<div class="row"><label for="notice">Notice period *</label><select id="notice" name="notice" required>{notice}</select></div>'
        '<fieldset class="row"><legend>Are you willing to relocate to Chennai? *</legend>'
        '<label class="inline"><input type="radio" name="relocate" value="yes" required> Yes</label>'
        '<label class="inline"><input type="radio" name="relocate" value="no"> No</label></fieldset>'
        f'<fieldset class="row"><legend>Which of these have you used in production?</legend>{tools}</fieldset>'
        '<div class="row"><span class="label" id="edu-title">Highest qualification *</span>'
        '<div class="dropdown" id="education-dropdown" tabindex="0" role="button" aria-haspopup="listbox" '
        'aria-expanded="false" aria-labelledby="edu-title"><span class="dropdown-value">Choose one</span>'
        f'<ul class="dropdown-menu" role="listbox" hidden>{edu}</ul><input type="hidden" name="education" value=""></div>'
        '<div id="education-error" class="error" hidden>Please choose your qualification.</div></div>'
        '<div id="late-slot"></div>'
        '<div class="row"><label for="cv">Upload CV *</label><input type="file" id="cv" name="cv" accept=".pdf,.doc,.docx" required></div>'
        '<div class="row"><span class="label">Profile links</span>'
        f'<iframe id="links-frame" title="Profile links" src="{e(frame)}" style="width:100%;height:150px;border:1px solid #ccc"></iframe>'
        '<input type="hidden" name="links[linkedin]"><input type="hidden" name="links[github]"></div>'
        '<div class="row"><label><input type="checkbox" name="declaration" value="yes" required> '
        'I confirm the above is true and complete to the best of my knowledge.</label></div>'
        '<button type="submit" id="submit">Submit application</button></form></div>'
    )
    css = (".dropdown{border:1px solid #999;max-width:520px;padding:6px;cursor:pointer}"
           ".dropdown-menu{list-style:none;margin:4px 0 0;padding:0}.dropdown-menu li{padding:5px}"
           ".dropdown-menu li:hover{background:#def}label.inline{display:inline;font-weight:normal;margin-right:12px}"
           "fieldset{border:0;padding:0}legend{font-weight:600}")
    return page(f"Apply | {job.title} | {job.company.name}", body + f"<script>{GENERIC_JS}</script>", css=css)


def generic_links_frame(job: Job) -> str:
    body = ('<div class="frame"><div class="row"><label for="linkedin">LinkedIn URL</label>'
            '<input type="url" id="linkedin" name="linkedin"></div>'
            '<div class="row"><label for="github">GitHub URL</label><input type="url" id="github" name="github"></div></div>')
    return page("Profile links", body, css="body{margin:8px}")


def generic_thanks(job: Job, ref: str) -> str:
    return page(f"Application received | {job.company.name}",
                f'<div class="wrap"><h1>Thank you!</h1><p class="success">Your application has been received. '
                f'Reference: <strong id="reference">{e(ref)}</strong></p>'
                f'<p>Our team will get back to you within two weeks.</p></div>')


# --- account walls ------------------------------------------------------------------------------------


def workday_job(job: Job) -> str:
    body = (f'<div class="wrap" data-automation-id="jobPostingPage"><h2 data-automation-id="jobPostingHeader">{e(job.title)}</h2>'
            f'<div data-automation-id="locations">{e(job.location)}</div>{description_block(job)}'
            f'<a data-automation-id="adventureButton" class="btn" href="{e(apply_url("", job))}">Apply</a></div>')
    return page(f"{job.title} - {job.company.name} - Workday", body)


def workday_signin(job: Job) -> str:
    body = ('<div class="wrap" data-automation-id="signInContent"><h2>Sign In</h2>'
            '<div><label for="wd-email">Email Address</label><input id="wd-email" type="text" data-automation-id="email"></div>'
            '<div><label for="wd-pass">Password</label><input id="wd-pass" type="password" data-automation-id="password"></div>'
            '<button type="button" data-automation-id="signInSubmitButton">Sign In</button>'
            '<p><a href="#" data-automation-id="createAccountLink">Create Account</a> · '
            '<a href="#" data-automation-id="forgotPasswordLink">Forgot your password?</a></p></div>')
    return page(f"Sign In - {job.company.name} - Workday", body)


def linkedin_job(job: Job) -> str:
    body = (f'<div class="wrap"><h1 class="top-card-layout__title">{e(job.title)}</h1>'
            f'<h4>{e(job.company.name)} · {e(job.location)}</h4>'
            '<button class="apply-button" disabled>Easy Apply</button>'
            '<div class="sign-in-modal"><h2>Sign in to apply</h2>'
            '<form method="post" action="/www.linkedin.com/checkpoint/lg/login-submit">'
            '<label for="session_key">Email or phone</label><input id="session_key" name="session_key" type="text">'
            '<label for="session_password">Password</label><input id="session_password" name="session_password" type="password">'
            '<button type="submit" class="sign-in-form__submit-btn">Sign in</button></form>'
            '<p>New to LinkedIn? <a href="#">Join now</a></p></div>'
            f'{description_block(job)}</div>')
    return page(f"{job.company.name} hiring {job.title} in {job.location} | LinkedIn", body)


def linkedin_challenge() -> str:
    body = ('<div class="wrap"><h1>Let\'s do a quick security check</h1>'
            '<p>Enter the 6-digit code we sent to your email address to verify it\'s you.</p>'
            '<form method="post" action="/www.linkedin.com/checkpoint/challenge/verify">'
            '<label for="input__email_verification_pin">Enter code</label>'
            '<input id="input__email_verification_pin" name="pin" type="text" maxlength="6" autocomplete="one-time-code">'
            '<button type="submit" id="email-pin-submit-button">Submit</button></form></div>')
    return page("Security Verification | LinkedIn", body)


def naukri_job(job: Job) -> str:
    body = (f'<div class="wrap"><h1 class="jd-header-title">{e(job.title)}</h1><div>{e(job.company.name)}</div>'
            f'<div class="location">{e(job.location)}</div>'
            '<div class="apply-wall"><p>Login to apply for this job</p>'
            '<button id="login-apply-button">Login to apply</button> <button id="reg-apply-button">Register to apply</button>'
            '<div class="login-layer"><label for="usernameField">Email ID / Username</label><input id="usernameField" type="text">'
            '<a href="#" id="otp-login">Use OTP to Login</a>'
            '<label for="otpField">Enter OTP</label><input id="otpField" type="text" maxlength="6"></div></div>'
            f'{description_block(job)}</div>')
    return page(f"{job.title} - {job.company.name} - Naukri.com", body)


# --- fault pages --------------------------------------------------------------------------------------


def closed_page(job: Job | None) -> str:
    title = f"{job.title} at {job.company.name}" if job else "Job"
    return page(f"{title} - no longer available",
                '<div class="wrap" id="closed"><h1>This job is no longer accepting applications</h1>'
                '<p>The position you are looking for has been filled or closed. '
                'Please browse our other open roles.</p></div>')


def blocked_page() -> str:
    return page("Access denied",
                '<div class="wrap" id="cf-error-details"><h1>Access denied</h1>'
                '<h2>Sorry, you have been blocked</h2><p>This website is using a security service to protect itself '
                'from online attacks. Error code 1020. Ray ID: 7f1c2d0e5a43.</p></div>')


def rate_limited_page(retry_after: int) -> str:
    return page("429 Too Many Requests",
                '<div class="wrap"><h1>Too Many Requests</h1>'
                f'<p>You have sent too many requests. Please try again in {retry_after} seconds.</p></div>')


def captcha_page() -> str:
    return page("Just a moment...",
                '<div class="wrap" id="challenge-body"><h1>Verify you are human</h1>'
                '<p>Please complete the security check to access this page.</p>'
                '<div class="h-captcha" id="captcha-widget" data-sitekey="sandbox" '
                'style="border:1px solid #ccc;padding:14px;width:300px">'
                '<label><input type="checkbox" id="captcha-checkbox"> I am human</label></div>'
                '<iframe title="Widget containing a security challenge" srcdoc="&lt;p&gt;hCaptcha challenge&lt;/p&gt;" '
                'style="width:300px;height:80px;border:0"></iframe></div>')


def daily_limit_page() -> str:
    return page("Application limit reached",
                '<div class="wrap" id="daily-limit"><h1>Daily limit reached</h1>'
                '<p>You have reached the daily limit of applications for today. Please try again tomorrow.</p></div>')


def not_found_page() -> str:
    return page("Page not found", '<div class="wrap"><h1>404</h1><p>Sorry, we couldn\'t find that page.</p></div>')


def index_page(base: str, jobs: list[Job]) -> str:
    rows = "".join(
        f'<tr><td>{e(j.key)}</td><td>{e(j.ats)}</td><td>{e(j.company.name)}</td>'
        f'<td><a href="{e(apply_url("", j))}">{e(j.title)}</a></td><td>{e(j.location)}</td></tr>'
        for j in jobs)
    return page("Talvix sandbox job board",
                f'<div class="wrap"><h1>Talvix sandbox job board</h1><table>{rows}</table></div>')
