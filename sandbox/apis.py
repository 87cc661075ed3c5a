"""Board API bodies in the shapes the real public APIs return.

Greenhouse Job Board API (``boards-api.greenhouse.io/v1/boards/{board}/jobs``), Lever Postings API
(``api.lever.co/v0/postings/{site}``), Ashby Job Posting API (``api.ashbyhq.com/posting-api/job-board/
{board}``) and an RSS 2.0 feed. Field names and nesting follow the providers' documentation so a
discovery client written against the sandbox works against the real sites unchanged.
"""

from __future__ import annotations

import html
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from sandbox.seed import Job, stable_uuid
from sandbox.urls import apply_url, job_page_url

# --- Greenhouse ---------------------------------------------------------------------------------------


def _gh_time(job: Job) -> str:
    # Greenhouse returns local times with an offset, e.g. 2024-05-01T08:15:00-04:00; IST here.
    from datetime import timedelta, timezone

    return job.posted_at.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat()


def greenhouse_job(base: str, job: Job, content: bool) -> dict[str, Any]:
    """One job as in ``GET /v1/boards/{board}/jobs[?content=true]``."""
    num = int(job.native_id)
    body: dict[str, Any] = {
        "absolute_url": job_page_url(base, job),
        "data_compliance": [{"type": "gdpr", "requires_consent": False, "requires_processing_consent": False,
                             "requires_retention_consent": False, "retention_period": None}],
        "internal_job_id": num - 3_000_000,
        "location": {"name": job.location},
        "metadata": [
            {"id": 2001, "name": "Workplace Type", "value": job.workplace.title(), "value_type": "single_select"},
            {"id": 2002, "name": "Salary Range", "value": job.salary_text, "value_type": "short_text"},
        ],
        "id": num,
        "updated_at": _gh_time(job),
        "requisition_id": f"REQ-{num % 10000}",
        "title": job.title,
        "company_name": job.company.name,
        "first_published": _gh_time(job),
    }
    if content:
        # The real API HTML-entity-encodes the description ("&lt;p&gt;...").
        body["content"] = html.escape(job.description_html(), quote=True)
        body["departments"] = [{"id": 100 + len(job.department), "name": job.department, "child_ids": [],
                                "parent_id": None}]
        body["offices"] = [{"id": 300 + len(job.location), "name": job.location, "location": job.location,
                            "child_ids": [], "parent_id": None}]
    return body


def greenhouse_list(base: str, jobs: list[Job], content: bool) -> dict[str, Any]:
    items = [greenhouse_job(base, j, content) for j in jobs if j.listed]
    return {"jobs": items, "meta": {"total": len(items)}}


def greenhouse_detail(base: str, job: Job, questions: bool) -> dict[str, Any]:
    """``GET /v1/boards/{board}/jobs/{id}``: always with content; ``questions=true`` adds the form."""
    body = greenhouse_job(base, job, content=True)
    if questions:
        body["questions"] = [
            {"required": q.required, "label": q.label, "description": None,
             "fields": [{"name": q.key, "type": _gh_field_type(q.kind),
                         "values": [{"label": o, "value": n} for n, o in enumerate(q.options)]}]}
            for q in job.questions if q.section != "eeo"
        ]
    return body


def _gh_field_type(kind: str) -> str:
    return {"textarea": "textarea", "file": "input_file", "select": "multi_value_single_select",
            "radio": "multi_value_single_select", "checkboxes": "multi_value_multi_select"}.get(kind, "input_text")


# --- Lever --------------------------------------------------------------------------------------------


def lever_posting(base: str, job: Job) -> dict[str, Any]:
    """One posting as in ``GET /v0/postings/{site}?mode=json``."""
    blocks = job.description_paragraphs()
    intro = [b for b in blocks if not isinstance(b[1], list)]
    lists = [b for b in blocks if isinstance(b[1], list)]
    desc_html = "".join(f"<div><b>{html.escape(h)}</b></div><div>{html.escape(str(t))}</div>" for h, t in intro)
    desc_plain = "\n\n".join(f"{h}\n{t}" for h, t in intro)
    body: dict[str, Any] = {
        "id": job.native_id,
        "text": job.title,
        "createdAt": int(job.posted_at.timestamp() * 1000),
        "categories": {
            "commitment": job.commitment,
            "department": job.department,
            "location": job.location,
            "team": job.team,
            "allLocations": [job.location, *job.extra_locations],
        },
        "country": "IN",
        "workplaceType": {"remote": "remote", "hybrid": "hybrid", "onsite": "onsite"}.get(job.workplace,
                                                                                           "unspecified"),
        "description": desc_html,
        "descriptionPlain": desc_plain,
        "descriptionBody": desc_html,
        "descriptionBodyPlain": desc_plain,
        "lists": [{"text": h, "content": "".join(f"<li>{html.escape(x)}</li>" for x in items)}
                  for h, items in lists],
        "additional": "<div>We are an equal opportunity employer.</div>",
        "additionalPlain": "We are an equal opportunity employer.",
        "hostedUrl": job_page_url(base, job),
        "applyUrl": apply_url(base, job),
    }
    if job.salary_lpa:
        lo, hi = job.salary_lpa
        body["salaryRange"] = {"min": lo * 100_000, "max": hi * 100_000, "currency": "INR",
                               "interval": "per-year-salary"}
        body["salaryDescriptionPlain"] = f"CTC {job.salary_text}"
    return body


# --- Ashby --------------------------------------------------------------------------------------------


def ashby_job(base: str, job: Job, compensation: bool) -> dict[str, Any]:
    """One job as in ``GET /posting-api/job-board/{board}[?includeCompensation=true]``."""
    city = job.location.split(",")[0]
    body: dict[str, Any] = {
        "id": job.native_id,
        "title": job.title,
        "department": job.department,
        "team": job.team,
        "employmentType": job.commitment,
        "location": job.location,
        "secondaryLocations": [{"location": loc, "address": {"addressLocality": loc, "addressRegion": "",
                                                             "addressCountry": "India"}}
                               for loc in job.extra_locations],
        "publishedAt": job.posted_at.isoformat(timespec="milliseconds"),
        "isListed": job.listed,
        "isRemote": job.is_remote,
        "workplaceType": {"remote": "Remote", "hybrid": "Hybrid", "onsite": "OnSite"}[job.workplace],
        "address": {"postalAddress": {"addressLocality": city, "addressRegion": "", "addressCountry": "India"}},
        "jobUrl": job_page_url(base, job),
        "applyUrl": apply_url(base, job),
        "descriptionHtml": job.description_html(),
        "descriptionPlain": job.description_plain(),
        "shouldDisplayCompensationOnJobPostings": bool(job.salary_lpa),
    }
    if compensation:
        body["compensation"] = _ashby_compensation(job)
    return body


def _ashby_compensation(job: Job) -> dict[str, Any]:
    if not job.salary_lpa:
        return {"compensationTierSummary": None, "scrapeableCompensationSalarySummary": None,
                "compensationTiers": [], "summaryComponents": []}
    lo, hi = job.salary_lpa
    summary = f"₹{lo}L – ₹{hi}L"
    salary = {"id": stable_uuid("comp", job.key, "salary"), "summary": summary, "compensationType": "Salary",
              "interval": "1 YEAR", "currencyCode": "INR", "minValue": lo * 100_000, "maxValue": hi * 100_000}
    equity = {"id": stable_uuid("comp", job.key, "equity"), "summary": "Offers Equity",
              "compensationType": "EquityPercentage", "interval": "NONE", "currencyCode": None,
              "minValue": None, "maxValue": None}
    return {
        "compensationTierSummary": f"{summary} • Offers Equity",
        "scrapeableCompensationSalarySummary": summary.replace("–", "-"),
        "compensationTiers": [{"id": stable_uuid("tier", job.key), "tierSummary": f"{summary} • Offers Equity",
                               "title": "India", "additionalInformation": None, "components": [salary, equity]}],
        "summaryComponents": [salary, equity],
    }


def ashby_board(base: str, jobs: list[Job], compensation: bool) -> dict[str, Any]:
    # The real API includes unlisted postings (isListed false); clients are expected to filter.
    return {"apiVersion": "1", "jobs": [ashby_job(base, j, compensation) for j in jobs]}


# --- RSS ----------------------------------------------------------------------------------------------


def rss_feed(base: str, name: str, title: str, jobs: list[Job]) -> str:
    """An RSS 2.0 feed of postings (what company careers pages and aggregators publish)."""
    items = []
    for job in jobs:
        if not job.listed:
            continue
        cats = "".join(f"<category>{xml_escape(s)}</category>" for s in job.skills)
        desc = f"<p>Location: {html.escape(job.location)}</p>" + job.description_html()
        items.append(
            "<item>"
            f"<title>{xml_escape(job.title)} at {xml_escape(job.company.name)}</title>"
            f"<link>{xml_escape(job_page_url(base, job))}</link>"
            f"<guid isPermaLink=\"false\">{xml_escape(job.key)}</guid>"
            f"<pubDate>{format_datetime(job.posted_at)}</pubDate>"
            f"<description>{xml_escape(desc)}</description>"
            f"<author>careers@{xml_escape(job.company.site)} ({xml_escape(job.company.name)})</author>"
            f"{cats}"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0"><channel>'
        f"<title>{xml_escape(title)}</title>"
        f"<link>{xml_escape(base)}/rss/{xml_escape(name)}.xml</link>"
        f"<description>{xml_escape(title)}: open roles</description>"
        f"{''.join(items)}"
        "</channel></rss>\n"
    )
