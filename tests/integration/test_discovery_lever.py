"""Lever discovery: bare JSON arrays, allLocations, workplaceType, salary ranges, the EU host."""

from __future__ import annotations

import httpx
import pytest

from core.jobs.discovery import discover
from core.jobs.sources import SourceNotFound

POSTINGS = [
    {
        "id": "5ac21346-8e0c-4494-8e7a-3eb92ff77902", "text": "Senior Backend Engineer",
        "categories": {"commitment": "Full-time", "department": "Engineering", "team": "Payments",
                       "location": "Bengaluru", "allLocations": ["Bengaluru", "Pune"]},
        "country": "IN", "workplaceType": "hybrid",
        "hostedUrl": "https://jobs.lever.co/acme/5ac21346-8e0c-4494-8e7a-3eb92ff77902",
        "applyUrl": "https://jobs.lever.co/acme/5ac21346-8e0c-4494-8e7a-3eb92ff77902/apply",
        "createdAt": 1767225600000,
        "description": "<div>We move money.</div>", "descriptionPlain": "We move money.",
        "lists": [{"text": "Requirements", "content": "<li>5+ years of experience with Go</li><li>Kafka</li>"}],
        "additional": "<div>We cannot sponsor visas.</div>", "additionalPlain": "We cannot sponsor visas.",
        "salaryRange": {"min": 3000000, "max": 4500000, "currency": "INR", "interval": "per-year-salary"},
    },
    {
        "id": "b3f1c1aa-0000-4000-8000-000000000002", "text": "Support Specialist",
        "categories": {"commitment": "Contract", "location": "Remote - India"},
        "workplaceType": "remote", "hostedUrl": "https://jobs.lever.co/acme/b3f1c1aa-0000-4000-8000-000000000002",
        "applyUrl": "https://jobs.lever.co/acme/b3f1c1aa-0000-4000-8000-000000000002/apply",
        "createdAt": 1767225600000, "descriptionPlain": "Help customers.", "lists": [],
    },
]


def transport(seen: list[httpx.Request], site: str = "acme") -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == f"/v0/postings/{site}":
            return httpx.Response(200, json=POSTINGS)
        return httpx.Response(404, json={"ok": False, "error": "Document not found"})

    return httpx.MockTransport(handler)


def test_lever_bare_array_becomes_jobs_with_all_locations(settings, db):
    seen: list[httpx.Request] = []
    report = discover(db, settings, "lever:acme", transport=transport(seen))
    assert report.new == 2
    assert seen[0].url.host == "api.lever.co" and seen[0].url.params["mode"] == "json"
    rows = {r["title"]: r for r in db.execute("SELECT * FROM jobs")}
    senior = rows["Senior Backend Engineer"]
    assert senior["canonical_key"] == "lever:acme:5ac21346-8e0c-4494-8e7a-3eb92ff77902"
    assert senior["location"] == "Bengaluru; Pune" and senior["workplace"] == "hybrid"
    assert senior["apply_url"].endswith("/apply") and senior["ats"] == "lever"
    assert "5+ years of experience with Go" in senior["description"] and "cannot sponsor" in senior["description"]
    assert senior["salary"]["min"] == 3000000 and senior["salary"]["period"] == "year"
    assert rows["Support Specialist"]["workplace"] == "remote"


def test_lever_eu_host_is_used_for_eu_sites_with_the_same_identity(settings, db):
    seen: list[httpx.Request] = []
    report = discover(db, settings, "lever-eu:acme", transport=transport(seen))
    assert report.new == 2 and seen[0].url.host == "api.eu.lever.co"
    keys = {r["canonical_key"] for r in db.execute("SELECT canonical_key FROM jobs")}
    assert "lever:acme:5ac21346-8e0c-4494-8e7a-3eb92ff77902" in keys
    again = discover(db, settings, "lever:acme", transport=transport([]))  # same postings via the US host
    assert (again.new, again.unchanged) == (0, 2)


def test_lever_unknown_site_is_not_found(settings, db):
    with pytest.raises(SourceNotFound, match="lever site 'nobody'"):
        discover(db, settings, "lever:nobody", transport=transport([]))
    assert db.one("SELECT count(*) AS n FROM jobs")["n"] == 0


def test_jd_parse_reads_lever_salary_and_commitment(settings, db):
    from core.jobs.jd import parse_jd

    discover(db, settings, "lever:acme", transport=transport([]))
    job = db.one("SELECT * FROM jobs WHERE title = 'Senior Backend Engineer'")
    parsed = parse_jd(job)
    assert parsed["salary"]["min_lpa"] == 30.0 and parsed["salary"]["max_lpa"] == 45.0
    assert parsed["employment_type"] == "full_time" and parsed["sponsorship"] is False
    assert parsed["years_min"] == 5.0 and {"Go", "Kafka"} <= set(parsed["required_skills"])


def test_a_short_retry_after_is_waited_out_within_the_run(settings, db):
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "0"}, json={"ok": False})
        return httpx.Response(200, json=POSTINGS)

    report = discover(db, settings, "lever:acme", transport=httpx.MockTransport(handler))
    assert len(calls) == 2 and report.new == 2
    assert db.one("SELECT count(*) AS n FROM sites WHERE paused")["n"] == 0


def test_a_persistent_429_pauses_the_host_and_later_runs_are_refused(settings, db):
    from core.jobs.discovery import SourcePaused
    from core.jobs.sources import SourceBlocked

    settings.discovery.retries = 1
    settings.discovery.backoff_s = 0
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(429, json={"ok": False})

    with pytest.raises(SourceBlocked):
        discover(db, settings, "lever:acme", transport=httpx.MockTransport(handler))
    assert len(calls) == 2  # one backoff retry, then the pause
    site = db.one("SELECT * FROM sites WHERE site = 'api.lever.co'")
    assert site["paused"] and "429" in site["pause_reason"]
    with pytest.raises(SourcePaused, match="paused"):
        discover(db, settings, "lever:acme", transport=httpx.MockTransport(handler))
    assert len(calls) == 2
