"""jd_parse: skills split by section, years, place and workplace, salary, employment type, sponsorship."""

from __future__ import annotations

import json

import pytest

from core.jobs.jd import (
    employment_type,
    parse_jd,
    salary,
    split_skills,
    sponsorship,
    years,
)

JD = """About us
We are a payments company. Our stack includes Kafka.
What you'll do
- Build APIs in Python and Django
Requirements:
- 3-5 years of experience in backend development
- Strong PostgreSQL and AWS
- Docker, k8s
Nice to have:
- Terraform
- Go is a plus
Compensation: 12-18 LPA. Full-time, hybrid in Bengaluru.
We are unable to sponsor visas."""


def test_required_and_nice_skills_follow_the_sections():
    required, nice = split_skills("Senior Backend Engineer (Python)", JD)
    assert required == ["Python", "Django", "PostgreSQL", "AWS", "Docker", "Kubernetes"]
    assert nice == ["Terraform", "Go"]
    assert "Kafka" not in required + nice  # named only in "About us"


def test_a_line_saying_plus_is_nice_to_have_even_under_requirements():
    required, nice = split_skills("", "Requirements:\n- Java and Spring Boot\n- Kafka experience is a plus")
    assert required == ["Java", "Spring Boot"] and nice == ["Kafka"]


@pytest.mark.parametrize("text,expected", [
    ("3-5 years of experience in backend development", (3.0, 5.0)),
    ("Minimum of 5 years experience with Java\nAt least 2 yrs in AWS", (5.0, None)),
    ("7+ years of professional experience", (7.0, None)),
    ("Requirements:\n- 2 years experience\nNice to have:\n- 10 years experience with Go", (2.0, None)),
    ("We have been around for 20 years.", (None, None)),
])
def test_years_of_experience(text, expected):
    assert years(text) == expected


@pytest.mark.parametrize("text,currency,lo,hi,lpa", [
    ("Compensation: 12-18 LPA", "INR", 1_200_000, 1_800_000, (12.0, 18.0)),
    ("CTC ₹15,00,000 per annum", "INR", 1_500_000, 1_500_000, (15.0, 15.0)),
    ("₹15,00,000 - ₹20,00,000", "INR", 1_500_000, 2_000_000, (15.0, 20.0)),
    ("10 - 14 lakhs per annum", "INR", 1_000_000, 1_400_000, (10.0, 14.0)),
    ("Rs. 50,000 per month", "INR", 600_000, 600_000, (6.0, 6.0)),
    ("salary 25 LPA", "INR", 2_500_000, 2_500_000, (25.0, 25.0)),
    ("$120,000 - $150,000 per year", "USD", 120_000, 150_000, None),
    ("USD 120k-150k", "USD", 120_000, 150_000, None),
    ("£50,000 to £65,000", "GBP", 50_000, 65_000, None),
    ("€60k base", "EUR", 60_000, 60_000, None),
])
def test_salary_in_lakhs_rupees_and_other_currencies(text, currency, lo, hi, lpa):
    pay = salary(text)
    assert pay is not None and pay["currency"] == currency
    assert (pay["min"], pay["max"]) == (lo, hi)
    if lpa:
        assert (pay["min_lpa"], pay["max_lpa"]) == lpa


def test_no_salary_when_none_is_stated():
    assert salary("We offer great culture and 5 days of learning budget.") is None


def test_employment_type_and_sponsorship():
    assert employment_type("This is a 6-month internship") == "internship"
    assert employment_type("Contract role (C2H)") == "contract"
    assert employment_type("", "FullTime") == "full_time"
    assert sponsorship("We are unable to sponsor visas.") is False
    assert sponsorship("Visa sponsorship is available.") is True
    assert sponsorship("Python and Go.") is None


def test_parse_jd_reads_workplace_and_location():
    parsed = parse_jd({"title": "Backend Engineer", "description": JD, "location": "Bengaluru, India", "workplace": None})
    assert parsed["workplace"] == "hybrid" and parsed["location"] == "Bengaluru, India"
    assert parsed["employment_type"] == "full_time" and parsed["sponsorship"] is False
    assert parsed["salary"]["max_lpa"] == 18.0 and parsed["years_min"] == 3.0
    remote = parse_jd({"title": "SRE", "description": "Location: Pune\nFully remote team.", "location": "Remote"})
    assert remote["workplace"] == "remote" and remote["location"] == "Pune"


def test_jd_parse_agent_saves_json_under_jds_and_queues_scoring(settings, db):
    from core import queue
    from core.jobs.store import upsert_job
    from core.models import NewTask
    from runners.runner import run_until_idle

    with db.transaction() as conn:
        job_id, _ = upsert_job(conn, {"canonical_key": "greenhouse:acme:1", "title": "Backend Engineer",
                                      "company": "Acme", "location": "Bengaluru", "description": JD,
                                      "url": "https://boards.greenhouse.io/acme/jobs/1"})
    sha = db.one("SELECT description_sha256 FROM jobs WHERE id = %s", (job_id,))["description_sha256"]
    task, _ = queue.enqueue(db, NewTask("jd_parse", {"job_id": job_id}, key=f"jd_parse:job:{job_id}:{sha[:16]}"))
    run_until_idle(settings, db, ["jd_parse"], timeout_s=60)
    assert queue.get_task(db, task.id).status == "succeeded"
    parsed = db.one("SELECT parsed FROM jobs WHERE id = %s", (job_id,))["parsed"]
    assert parsed["required_skills"][:2] == ["Python", "Django"] and parsed["salary"]["min_lpa"] == 12.0
    art = db.one("SELECT * FROM artifacts WHERE job_id = %s AND kind = 'jd'", (job_id,))
    assert art["path"].startswith("jds/")
    stored = json.loads((settings.storage_path / art["path"]).read_text())
    assert stored == parsed
    follow = db.one("SELECT * FROM tasks WHERE agent = 'score'")
    assert follow["payload"] == {"job_id": job_id} and follow["idempotency_key"] == f"score:job:{job_id}:{sha[:16]}"


def test_jd_parse_of_a_missing_job_fails_without_retrying(settings, db):
    from core import queue
    from core.models import NewTask
    from runners.runner import run_until_idle

    task, _ = queue.enqueue(db, NewTask("jd_parse", {"job_id": 999}))
    run_until_idle(settings, db, ["jd_parse"], timeout_s=60)
    row = queue.get_task(db, task.id)
    assert row.status == "dead" and "no job with id 999" in row.last_error


def test_skills_outside_the_shared_vocabulary_are_found_too():
    required, nice = split_skills("Data Engineer", "Requirements:\n- Spark on Databricks\n- SQL Server\n"
                                                   "Nice to have:\n- Apache Flink")
    assert {"Spark", "Databricks", "Microsoft SQL Server"} <= set(required) and nice == ["Flink"]
