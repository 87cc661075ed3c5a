"""The fabrication check: documents that try to sneak in a fact the candidate's profile does not have."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.candidates.resume import parse_resume
from core.documents.fabrication import (
    FabricationError,
    check,
    check_file,
    facts_of,
    find_unsupported,
)
from core.documents.render import Doc, to_docx, to_pdf, to_text
from core.documents.tailor import base_resume
from core.errors import PermanentError
from tests.support import resume_samples as rs

JOB = ["Senior Backend Engineer (Kafka)", "Acme Payments"]


@pytest.fixture
def profile(tmp_path: Path) -> dict:
    p = parse_resume(rs.write_text(tmp_path))
    p["work"]["notice_period_days"] = 30
    return p


def kinds(text: str, profile: dict, allowed=JOB) -> set[tuple[str, str]]:
    return {(v.kind, v.value) for v in find_unsupported(text, facts_of(profile, allowed=allowed))}


def test_the_candidates_own_resume_passes(profile) -> None:
    assert find_unsupported(to_text(base_resume(profile)), facts_of(profile)) == []


def test_honest_letter_passes_including_job_title_and_company(profile) -> None:
    text = ("Dear Hiring Team at Acme Payments,\nI am applying for the Senior Backend Engineer (Kafka) role. "
            "I am a Senior Software Engineer at Razorpay in Bengaluru since Jan 2021, with 10 years of experience. "
            "I cut p99 latency by 40% and built operators for 120 microservices with Go and Kubernetes. "
            "My notice period is 30 days.\nPriya Sharma | priya.sharma@example.com | +91 98450 12345")
    assert kinds(text, profile) == set()


@pytest.mark.parametrize("sneaky, expected", [
    ("I previously worked at Google on search.", ("employer", "Google")),
    ("I joined Stripe Payments in a leadership capacity.", ("employer", "Stripe Payments")),
    ("I was promoted to Principal Engineer last year.", ("title", "Principal Engineer")),
    ("As Head of Platform I grew the team.", ("title", "Head of Platform")),
    ("I am fluent in Rust.", ("skill", "Rust")),
    ("I have deep Kafka expertise.", ("skill", "Kafka")),  # the job's skill, not the candidate's
    ("I cut p99 latency by 65%.", ("number", "65")),
    ("I mentored 14 engineers.", ("number", "14")),
    ("I have been at Razorpay since Mar 2019.", ("date", "Mar 2019")),
    ("I graduated in 2011.", ("date", "2011")),
    ("Reach me at priya@other.example.", ("email", "priya@other.example")),
    ("Portfolio: https://evil.example/priya", ("link", "https://evil.example/priya")),
    ("Call +91 99999 88888.", ("phone", "+91 99999 88888")),
])
def test_each_kind_of_invented_fact_is_caught(profile, sneaky: str, expected: tuple[str, str]) -> None:
    assert expected in kinds(sneaky, profile)


def test_numbers_inside_dates_are_not_free_passes(profile) -> None:
    # The profile has "2020-12" (Flipkart's end): that is a date, it does not make "12 years" true.
    assert ("number", "12") in kinds("I have 12 years of experience.", profile)


def test_check_raises_a_permanent_error_naming_the_facts(profile) -> None:
    with pytest.raises(FabricationError) as info:
        check("I led 300 engineers at Google.", profile, what="cover letter")
    assert isinstance(info.value, PermanentError)
    msg = str(info.value)
    assert "cover letter" in msg and "number '300'" in msg and "employer 'Google'" in msg
    assert [v.kind for v in info.value.violations] == ["number", "employer"]


@pytest.mark.parametrize("render, suffix", [(to_docx, ".docx"), (to_pdf, ".pdf")])
def test_written_files_are_checked_as_written(profile, tmp_path: Path, render, suffix: str) -> None:
    honest = base_resume(profile)
    good = tmp_path / f"good{suffix}"
    good.write_bytes(render(honest))
    check_file(good, profile)  # no error
    sneaky = Doc(honest.title, honest.subtitle, list(honest.blocks))
    sneaky.bullet("Scaled Terraform modules to 900 AWS accounts at Amazon")
    bad = tmp_path / f"bad{suffix}"
    bad.write_bytes(render(sneaky))
    with pytest.raises(FabricationError) as info:
        check_file(bad, profile)
    found = {(v.kind, v.value) for v in info.value.violations}
    assert {("skill", "Terraform"), ("number", "900"), ("employer", "Amazon")} <= found


def test_job_phrase_wrapped_across_pdf_lines_is_still_allowed(profile) -> None:
    text = "applying for the Senior Backend\nEngineer (Kafka) role at Acme\nPayments"
    assert kinds(text, profile) == set()
