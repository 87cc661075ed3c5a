"""RSS 2.0 and Atom feeds, one job per posting across sources, and the optional JobSpy source."""

from __future__ import annotations

import json

import pytest

from tests.support.board_server import BoardServer, greenhouse_job

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Acme Careers</title><link>https://careers.acme.example</link>
<item><title>QA Automation Engineer</title><link>https://careers.acme.example/jobs/qa-1</link>
<guid>qa-1</guid><description>&lt;p&gt;Selenium and Pytest. Location: Pune&lt;/p&gt;</description>
<pubDate>Mon, 05 Jan 2026 10:00:00 +0000</pubDate></item>
<item><title>Backend Engineer</title><link>https://boards.greenhouse.io/acme/jobs/101?gh_src=rss</link>
<guid>gh-101</guid><description>Python APIs</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Beta Jobs</title><id>urn:beta</id>
<updated>2026-02-01T00:00:00Z</updated>
<entry><title>Remote Data Engineer</title><id>urn:beta:job:7</id>
<link href="https://beta.example/jobs/7"/><updated>2026-02-01T00:00:00Z</updated>
<author><name>Beta Analytics</name></author>
<content type="html">&lt;ul&gt;&lt;li&gt;Airflow&lt;/li&gt;&lt;li&gt;Spark&lt;/li&gt;&lt;/ul&gt;</content></entry>
</feed>"""


@pytest.fixture
def feeds():
    with BoardServer() as server:
        server.raw("/careers.rss", RSS, "application/rss+xml")
        server.raw("/jobs.atom", ATOM, "application/atom+xml")
        server.json("/v1/boards/acme/jobs", {"jobs": [greenhouse_job(101, "Backend Engineer", "<p>Python APIs</p>")]})
        yield server


def test_rss_feed_items_become_jobs(run_talvix, feeds, db):
    out = run_talvix("discover", "--source", f"rss:{feeds.url}/careers.rss", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["new"] == 2
    qa = db.one("SELECT * FROM jobs WHERE title = 'QA Automation Engineer'")
    assert qa["url"] == "https://careers.acme.example/jobs/qa-1" and qa["company"] == "Acme Careers"
    assert "Selenium and Pytest" in qa["description"] and "<p>" not in qa["description"]
    assert qa["canonical_key"].startswith("rss:") and qa["posted_at"] is not None


def test_atom_feed_entries_become_jobs(run_talvix, feeds, db):
    out = run_talvix("discover", "--source", f"rss:{feeds.url}/jobs.atom", "--json")
    assert out.returncode == 0, out.stderr
    job = db.one("SELECT * FROM jobs")
    assert job["title"] == "Remote Data Engineer" and job["company"] == "Beta Analytics"
    assert job["workplace"] == "remote" and "Airflow" in job["description"]


def test_the_same_posting_from_two_sources_is_one_job(run_talvix, feeds, db):
    assert run_talvix("discover", "--source", "greenhouse:acme", "--base-url", feeds.url).returncode == 0
    before = db.one("SELECT description, company FROM jobs WHERE title = 'Backend Engineer'")
    out = run_talvix("discover", "--source", f"rss:{feeds.url}/careers.rss", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["merged"] == 1
    assert db.one("SELECT count(*) AS n FROM jobs WHERE title = 'Backend Engineer'")["n"] == 1
    assert db.one("SELECT description, company FROM jobs WHERE title = 'Backend Engineer'") == before
    assert db.one("SELECT canonical_key FROM jobs WHERE title = 'Backend Engineer'")["canonical_key"] == \
        "greenhouse:acme:101"
    # and reading the feed again neither adds nor closes anything
    again = json.loads(run_talvix("discover", "--source", f"rss:{feeds.url}/careers.rss", "--json").stdout)
    assert (again["new"], again["closed"]) == (0, 0)
    assert db.one("SELECT count(*) AS n FROM jobs WHERE status = 'open'")["n"] == 2


def test_a_page_that_is_not_a_feed_is_a_clear_error(run_talvix, feeds, db):
    feeds.raw("/nope.rss", "<html><body>Careers</body>", "text/html")
    out = run_talvix("discover", "--source", f"rss:{feeds.url}/nope.rss")
    assert out.returncode != 0 and "not an RSS or Atom feed" in out.stderr
    assert db.one("SELECT count(*) AS n FROM jobs")["n"] == 0


def test_jobspy_without_the_extra_says_how_to_install_it(run_talvix):
    out = run_talvix("discover", "--source", "jobspy:python developer;sites=indeed")
    assert out.returncode != 0
    assert "pip install python-jobspy" in out.stderr and "Traceback" not in out.stderr
