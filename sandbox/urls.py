"""Where each job lives on the sandbox.

Every page path starts with the host name the real site uses (``/boards.greenhouse.io/...``,
``/jobs.lever.co/...``), so code that recognises an ATS by the host in a URL also recognises it on the
sandbox by looking for the same text in the path. Board APIs use the real APIs' paths.
"""

from __future__ import annotations

from urllib.parse import quote

from sandbox.seed import Job


def job_page_url(base: str, job: Job) -> str:
    """The posting's public page (what a board's ``absolute_url``/``hostedUrl``/``jobUrl`` points at)."""
    b, i = quote(job.board), quote(job.native_id)
    if job.ats == "greenhouse":
        return f"{base}/boards.greenhouse.io/{b}/jobs/{i}"
    if job.ats == "greenhouse_react":
        return f"{base}/job-boards.greenhouse.io/{b}/jobs/{i}"
    if job.ats == "lever":
        return f"{base}/jobs.lever.co/{b}/{i}"
    if job.ats == "ashby":
        return f"{base}/jobs.ashbyhq.com/{b}/{i}"
    if job.ats == "generic":
        return f"{base}/careers/{b}/jobs/{i}"
    if job.ats == "workday":
        return f"{base}/{b}.wd3.myworkdayjobs.com/en-US/External/job/{i}"
    if job.ats == "linkedin":
        return f"{base}/www.linkedin.com/jobs/view/{i}/"
    if job.ats == "naukri":
        return f"{base}/www.naukri.com/job-listings-{i}"
    raise ValueError(f"unknown ATS style {job.ats!r}")


def apply_url(base: str, job: Job) -> str:
    """The application form itself (Greenhouse legacy and React forms sit on the posting page)."""
    page = job_page_url(base, job)
    if job.ats in ("greenhouse", "greenhouse_react"):
        return page
    if job.ats == "lever":
        return page + "/apply"
    if job.ats == "ashby":
        return page + "/application"
    if job.ats == "generic":
        return page + "/apply"
    if job.ats == "workday":
        return page + "/apply"
    if job.ats == "linkedin":
        return page
    return page


def submit_path(job: Job) -> str:
    """Path (no host) the form posts to."""
    b, i = quote(job.board), quote(job.native_id)
    if job.ats == "greenhouse":
        return f"/boards.greenhouse.io/{b}/jobs/{i}/application"
    if job.ats == "greenhouse_react":
        return f"/job-boards.greenhouse.io/{b}/jobs/{i}/applications"
    if job.ats == "lever":
        return f"/jobs.lever.co/{b}/{i}/apply"
    if job.ats == "ashby":
        return f"/jobs.ashbyhq.com/api/{b}/{i}/submit"
    if job.ats == "generic":
        return f"/careers/{b}/jobs/{i}/apply"
    raise ValueError(f"{job.ats} forms cannot be submitted")


def api_urls(base: str) -> dict[str, str]:
    """Template URLs of the board APIs, for docs and the CLI banner."""
    return {
        "greenhouse": f"{base}/v1/boards/{{board}}/jobs?content=true",
        "lever": f"{base}/v0/postings/{{site}}?mode=json",
        "ashby": f"{base}/posting-api/job-board/{{board}}?includeCompensation=true",
        "rss": f"{base}/rss/{{feed}}.xml",
    }
