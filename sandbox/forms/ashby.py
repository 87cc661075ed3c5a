"""Ashby: the posting page and the client-rendered application form that appears after a delay."""

from __future__ import annotations

import json

from sandbox.forms.common import description_block, e, field_specs, page, static_text
from sandbox.seed import Job
from sandbox.urls import apply_url, job_page_url, submit_path


def ashby_posting_page(base: str, job: Job) -> str:
    body = (
        f'<div class="wrap"><h1 class="ashby-job-posting-heading">{e(job.title)}</h1>'
        f'<div class="ashby-job-posting-left-pane">{e(job.location)} · {e(job.department)} · {e(job.commitment)}</div>'
        f'<nav><a href="{e(job_page_url("", job))}">Overview</a> | <a href="{e(apply_url("", job))}">Application</a></nav>'
        f'{description_block(job)}<a class="btn" href="{e(apply_url("", job))}">Apply for this Job</a></div>'
    )
    return page(f"{job.title} @ {job.company.name}", body)


ASHBY_JS = static_text("ashby.js")


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
