"""Ashby discovery: the posting API's jobs[], unlisted postings skipped, compensation tiers."""

from __future__ import annotations

import httpx

from core.jobs.discovery import discover


def ashby_job(ident: str, title: str, *, listed: bool = True, compensation: dict | None = None, **extra):
    job = {
        "id": ident, "title": title, "location": "Bengaluru, India",
        "secondaryLocations": [{"location": "Hyderabad, India", "address": {"addressLocality": "Hyderabad"}}],
        "department": "Engineering", "team": "Platform", "isListed": listed, "isRemote": False,
        "workplaceType": "Hybrid", "descriptionHtml": "<p>Build the platform with Python.</p>",
        "descriptionPlain": "Build the platform with Python.", "publishedAt": "2026-04-30T16:21:55.393+00:00",
        "employmentType": "FullTime", "jobUrl": f"https://jobs.ashbyhq.com/acme/{ident}",
        "applyUrl": f"https://jobs.ashbyhq.com/acme/{ident}/application",
        "shouldDisplayCompensationOnJobPostings": compensation is not None,
    }
    if compensation is not None:
        job["compensation"] = compensation
    job.update(extra)
    return job


TIERS = {
    "compensationTierSummary": "₹30L – ₹45L • Offers Bonus",
    "scrapeableCompensationSalarySummary": "₹30L - ₹45L",
    "compensationTiers": [
        {"id": "t1", "title": "Zone A", "tierSummary": "₹30L – ₹40L", "additionalInformation": None, "components": [
            {"id": "c1", "summary": "0.1% – 0.2%", "compensationType": "EquityPercentage", "interval": "NONE",
             "currencyCode": None, "minValue": 0.1, "maxValue": 0.2},
            {"id": "c2", "summary": "₹30L – ₹40L", "compensationType": "Salary", "interval": "1 YEAR",
             "currencyCode": "INR", "minValue": 3000000, "maxValue": 4000000}]},
        {"id": "t2", "title": "Zone B", "tierSummary": "₹35L – ₹45L", "additionalInformation": None, "components": [
            {"id": "c3", "summary": "₹35L – ₹45L", "compensationType": "Salary", "interval": "1 YEAR",
             "currencyCode": "INR", "minValue": 3500000, "maxValue": 4500000}]},
    ],
}


def board(jobs: list[dict], seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/posting-api/job-board/acme":
            return httpx.Response(200, json={"apiVersion": "1", "jobs": jobs})
        return httpx.Response(404, json={"success": False})

    return httpx.MockTransport(handler)


def test_ashby_skips_unlisted_postings_and_reads_compensation_tiers(settings, db):
    seen: list[httpx.Request] = []
    jobs = [ashby_job("a1", "Platform Engineer", compensation=TIERS), ashby_job("a2", "Secret Role", listed=False)]
    report = discover(db, settings, "ashby:acme", transport=board(jobs, seen))
    assert seen[0].url.host == "api.ashbyhq.com" and seen[0].url.params["includeCompensation"] == "true"
    assert report.listed == 1
    rows = db.execute("SELECT * FROM jobs")
    assert [r["title"] for r in rows] == ["Platform Engineer"]
    job = rows[0]
    assert job["canonical_key"] == "ashby:acme:a1" and job["workplace"] == "hybrid"
    assert job["location"] == "Bengaluru, India; Hyderabad, India"
    assert job["salary"]["currency"] == "INR"
    assert (job["salary"]["min"], job["salary"]["max"]) == (3000000, 4500000)  # widest range over the tiers
    assert [t["title"] for t in job["salary"]["tiers"]] == ["Zone A", "Zone B"]


def test_a_posting_that_becomes_unlisted_is_closed(settings, db):
    discover(db, settings, "ashby:acme", transport=board([ashby_job("a1", "Platform Engineer"),
                                                         ashby_job("a2", "Data Engineer")], []))
    report = discover(db, settings, "ashby:acme", transport=board([ashby_job("a1", "Platform Engineer"),
                                                                  ashby_job("a2", "Data Engineer", listed=False)], []))
    assert report.closed == 1
    status = {r["title"]: r["status"] for r in db.execute("SELECT title, status FROM jobs")}
    assert status == {"Platform Engineer": "open", "Data Engineer": "closed"}


def test_ashby_remote_flag_without_workplace_type(settings, db):
    job = ashby_job("a3", "Remote SRE", isRemote=True, workplaceType=None, location="India")
    discover(db, settings, "ashby:acme", transport=board([job], []))
    assert db.one("SELECT workplace FROM jobs")["workplace"] == "remote"
