"""The sandbox's board APIs answer in the documented shapes of Greenhouse, Lever, Ashby and RSS."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pytest

from sandbox import SandboxServer


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as server:
        yield server


@pytest.fixture
def client(sb: SandboxServer) -> Iterator[httpx.Client]:
    sb.reset()
    with httpx.Client(base_url=sb.url, timeout=10) as c:
        yield c


def test_greenhouse_job_list_has_the_job_board_api_fields(client: httpx.Client, sb: SandboxServer) -> None:
    body = client.get("/v1/boards/acmepay/jobs", params={"content": "true"}).json()
    assert body["meta"]["total"] == len(body["jobs"]) == 3
    job = body["jobs"][0]
    assert {"id", "title", "absolute_url", "location", "updated_at", "content", "departments", "offices",
            "metadata", "internal_job_id", "requisition_id", "data_compliance"} <= set(job)
    assert isinstance(job["id"], int) and job["location"]["name"]
    assert job["content"].startswith("&lt;h3&gt;")  # HTML-entity-encoded, as the real API sends it
    assert "PostgreSQL" in html.unescape(job["content"])
    assert job["departments"][0]["name"] and job["offices"][0]["name"]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$", job["updated_at"])
    assert job["absolute_url"].startswith(sb.url + "/boards.greenhouse.io/acmepay/jobs/")
    assert client.get(job["absolute_url"]).status_code == 200


def test_greenhouse_list_without_content_leaves_description_out(client: httpx.Client) -> None:
    job = client.get("/v1/boards/acmepay/jobs").json()["jobs"][0]
    assert "content" not in job and "departments" not in job


def test_greenhouse_job_detail_and_questions(client: httpx.Client) -> None:
    job = client.get("/v1/boards/acmepay/jobs/4012003", params={"questions": "true"}).json()
    assert job["id"] == 4012003 and "content" in job
    labels = {q["label"]: q["required"] for q in job["questions"]}
    assert labels["Years of experience with COBOL"] is True


def test_react_board_is_a_greenhouse_board_too(client: httpx.Client, sb: SandboxServer) -> None:
    jobs = client.get("/v1/boards/zestcloud/jobs").json()["jobs"]
    assert {j["absolute_url"].split("/jobs/")[0] for j in jobs} == {sb.url + "/job-boards.greenhouse.io/zestcloud"}


@pytest.mark.parametrize("path", ["/v1/boards/nosuchco/jobs", "/v1/boards/acmepay/jobs/999",
                                  "/v0/postings/nosuchco", "/v0/postings/kitebyte/not-an-id",
                                  "/posting-api/job-board/nosuchco", "/rss/nosuchco.xml"])
def test_unknown_board_or_job_is_404(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_lever_postings_are_a_bare_array_of_documented_fields(client: httpx.Client, sb: SandboxServer) -> None:
    postings = client.get("/v0/postings/kitebyte", params={"mode": "json"}).json()
    assert isinstance(postings, list) and len(postings) == 3
    p = postings[0]
    assert {"id", "text", "hostedUrl", "applyUrl", "categories", "workplaceType", "descriptionPlain", "lists",
            "createdAt", "description", "additionalPlain"} <= set(p)
    assert {"location", "allLocations", "team", "commitment"} <= set(p["categories"])
    assert p["workplaceType"] in ("remote", "hybrid", "onsite")
    assert p["applyUrl"] == p["hostedUrl"] + "/apply"
    assert p["lists"] and "<li>" in p["lists"][0]["content"]
    assert any("salaryRange" in x and x["salaryRange"]["currency"] == "INR" for x in postings)
    one = client.get(f"/v0/postings/kitebyte/{p['id']}").json()
    assert one["id"] == p["id"]


def test_ashby_board_lists_an_unlisted_job_and_compensation_tiers(client: httpx.Client) -> None:
    body = client.get("/posting-api/job-board/nimbuslabs", params={"includeCompensation": "true"}).json()
    assert body["apiVersion"] == "1"
    jobs = body["jobs"]
    assert [j["isListed"] for j in jobs].count(False) == 1
    j = jobs[0]
    assert {"id", "title", "location", "isListed", "jobUrl", "applyUrl", "descriptionHtml", "descriptionPlain",
            "compensation", "workplaceType", "isRemote", "publishedAt", "employmentType"} <= set(j)
    assert j["workplaceType"] in ("Remote", "Hybrid", "OnSite") and j["isRemote"] is (j["workplaceType"] == "Remote")
    tiers = j["compensation"]["compensationTiers"]
    salary = [c for c in tiers[0]["components"] if c["compensationType"] == "Salary"][0]
    assert salary["currencyCode"] == "INR" and salary["minValue"] < salary["maxValue"]
    assert "compensation" not in client.get("/posting-api/job-board/nimbuslabs").json()["jobs"][0]


def test_rss_feeds_are_rss_2_with_links_to_the_sandbox(client: httpx.Client, sb: SandboxServer) -> None:
    for feed in ("saffron", "remote-india"):
        r = client.get(f"/rss/{feed}.xml")
        assert r.headers["content-type"].startswith("application/rss+xml")
        items = ET.fromstring(r.content).findall("./channel/item")
        assert items
        for item in items:
            assert item.findtext("title") and item.findtext("pubDate") and item.findtext("guid")
            assert item.findtext("link", "").startswith(sb.url + "/")
    aggregator = client.get("/rss/remote-india.xml").text
    for host in ("myworkdayjobs.com", "www.linkedin.com", "www.naukri.com"):
        assert host in aggregator


def test_seed_reads_like_real_work_and_is_the_same_every_run(sb: SandboxServer) -> None:
    text = " ".join(j.description_plain() for j in sb.jobs)
    assert "LPA" in text and "Remote - India" in " ".join(j.location for j in sb.jobs)
    assert {"Python", "React", "Kubernetes"} <= {s for j in sb.jobs for s in j.skills}
    with SandboxServer(port=0) as other:
        assert [(j.key, j.native_id) for j in other.jobs] == [(j.key, j.native_id) for j in sb.jobs]
        assert other.apply_url("lever-ml").removeprefix(other.url) == sb.apply_url("lever-ml").removeprefix(sb.url)


def test_jobs_endpoint_lists_every_form_url(client: httpx.Client, sb: SandboxServer) -> None:
    jobs = client.get("/_sandbox/jobs").json()
    assert {j["ats"] for j in jobs} == {"greenhouse", "greenhouse_react", "lever", "ashby", "generic", "workday",
                                        "linkedin", "naukri"}
    for j in jobs:
        assert client.get(j["apply_url"]).status_code == 200, j["key"]


def test_lever_knockout_card_lists_required_free_text_questions(client: httpx.Client, sb: SandboxServer) -> None:
    import json

    form = client.get(sb.apply_url("lever-knockout")).text
    value = re.search(r'name="cards\[[0-9a-f-]+\]\[baseTemplate\]" value="([^"]+)"', form).group(1)
    fields = {f["text"]: f for f in json.loads(html.unescape(value))["fields"]}
    assert fields["Years of experience with COBOL"]["required"] is True
    assert fields["Do you hold a valid security clearance? Explain"]["type"] == "textarea"
    assert fields["Expected CTC (in LPA)"]["required"] is False
