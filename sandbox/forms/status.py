"""Status pages: closed posting, blocked, rate limited, captcha challenge, daily limit, not found, and the index."""

from __future__ import annotations

from sandbox.forms.common import e, page
from sandbox.seed import Job
from sandbox.urls import apply_url


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
