"""A company's own careers form: a single page with an iframe of links, and its thanks page."""

from __future__ import annotations

from sandbox.forms.common import GENERIC_SPECS, description_block, e, page, static_text
from sandbox.seed import Job
from sandbox.urls import apply_url, submit_path


def generic_posting_page(base: str, job: Job) -> str:
    body = (f'<div class="wrap"><header><strong>{e(job.company.name)} Careers</strong></header>'
            f'<h1>{e(job.title)}</h1><p class="meta">{e(job.location)}</p>{description_block(job)}'
            f'<p><a class="btn" href="{e(apply_url("", job))}">Apply now</a></p></div>')
    return page(f"{job.title} | {job.company.name} Careers", body)


GENERIC_JS = static_text("generic.js")


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
