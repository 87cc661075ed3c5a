"""Lever: the posting page, the application form (cards of custom questions) and the thanks page."""

from __future__ import annotations

import json

from sandbox.forms.common import _lever_card_id, e, field_specs, page
from sandbox.seed import Job
from sandbox.urls import apply_url, submit_path


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
