"""Resume parsing: PDF, DOCX (tables too), TXT and Markdown to a profile; bad files give one clear error."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from agents.resume_parse import ResumeError, parse_resume
from core.candidates.resume import flat_view
from core.candidates.resume.parse import normalise_date, years_of_experience
from core.errors import TalvixError
from tests.support import resume_samples as rs


def months_since(year: int, month: int) -> int:
    today = date.today()
    return (today.year - year) * 12 + today.month - month


def test_text_resume_gives_contact_details_in_canonical_form(tmp_path: Path) -> None:
    view = flat_view(parse_resume(rs.write_text(tmp_path)))
    assert view["name"] == "Priya Sharma"
    assert view["email"] == "priya.sharma@example.com"
    assert view["phone"] == "+919845012345"  # E.164, India as the default region
    assert view["location"] == "Bengaluru, Karnataka"
    assert view["links"] == {"linkedin": "https://linkedin.com/in/priya-sharma",
                             "github": "https://github.com/priyasharma"}
    assert view["summary"].startswith("Backend engineer building payment systems")


def test_text_resume_experience_entries_have_employer_title_and_dates(tmp_path: Path) -> None:
    exp = parse_resume(rs.write_text(tmp_path))["experience"]
    assert [(e["employer"], e["title"], e["start"], e["end"]) for e in exp] == [
        ("Razorpay", "Senior Software Engineer", "2021-01", "present"),
        ("Flipkart", "Software Engineer", "2018-06", "2020-12"),
        ("Infosys Ltd", "Systems Engineer", "2016-07", "2018-05"),
    ]
    assert exp[0]["bullets"][0].startswith("Led migration of the payment ledger")
    assert len(exp[1]["bullets"]) == 2


def test_years_of_experience_counts_from_first_role_to_today(tmp_path: Path) -> None:
    profile = parse_resume(rs.write_text(tmp_path))
    assert profile["work"]["years_experience"] == round((months_since(2016, 7) + 1) / 12, 1)


def test_overlapping_roles_are_counted_once() -> None:
    exp = [{"start": "2018-01", "end": "2019-12"}, {"start": "2019-01", "end": "2020-12"}]
    assert years_of_experience(exp, today=date(2024, 1, 1)) == 3.0


def test_skills_are_normalised_through_the_vocabulary(tmp_path: Path) -> None:
    skills = parse_resume(rs.write_text(tmp_path))["skills"]
    # js -> JavaScript, golang/Go -> Go, k8s (in a bullet) -> Kubernetes; ReactJS beside React Native keeps both.
    for expected in ("Python", "Go", "React", "React Native", "JavaScript", "Kubernetes", "PostgreSQL", "Django"):
        assert expected in skills
    assert "js" not in skills and "ReactJS" not in skills
    assert len(skills) == len(set(skills))


def test_education_has_degree_field_institution_and_years(tmp_path: Path) -> None:
    edu = parse_resume(rs.write_text(tmp_path))["education"]
    assert edu == [{"institution": "IIT Madras", "degree": "B.Tech", "field": "Computer Science",
                    "start": "2012", "end": "2016"}]


def test_pdf_resume_parses_like_the_text(tmp_path: Path) -> None:
    pdf = flat_view(parse_resume(rs.write_pdf(tmp_path)))
    txt = flat_view(parse_resume(rs.write_text(tmp_path)))
    for key in ("name", "email", "phone", "location", "links", "experience", "education", "skills"):
        assert pdf[key] == txt[key], key


def test_docx_with_tables_reads_contact_block_and_experience_table(tmp_path: Path) -> None:
    view = flat_view(parse_resume(rs.write_docx_with_table(tmp_path)))
    assert view["name"] == "Kavya Reddy"
    assert view["email"] == "kavya.reddy@example.net"
    assert view["phone"] == "+919000012345"
    assert view["location"] == "Hyderabad, Telangana"
    assert [(e["employer"], e["title"], e["start"], e["end"]) for e in view["experience"]] == [
        ("Swiggy", "Frontend Engineer", "2021-08", "present"),
        ("Zoho Corporation", "Member Technical Staff", "2019-07", "2021-07"),
    ]
    assert view["education"][0]["institution"] == "Osmania University"
    assert {"React", "React Native", "TypeScript", "Node.js", "GraphQL"} <= set(view["skills"])


def test_markdown_resume_strips_markup_and_keeps_link_targets(tmp_path: Path) -> None:
    view = flat_view(parse_resume(rs.write_text(tmp_path, "arjun.md", rs.RESUME_MARKDOWN)))
    assert view["name"] == "Arjun Mehta"
    assert view["phone"] == "+919922033445"
    assert view["links"] == {"github": "https://github.com/arjunm"}
    assert view["experience"][0]["employer"] == "Thoughtworks"
    assert view["experience"][0]["title"] == "Data Engineer"
    assert view["experience"][0]["start"] == "2020-03"
    assert "scikit-learn" in view["skills"] and "Spark" in view["skills"]
    assert not any("*" in s or "#" in s for s in view["skills"])


def test_every_field_has_a_confidence_between_zero_and_one(tmp_path: Path) -> None:
    conf = parse_resume(rs.write_text(tmp_path))["confidence"]
    for key in ("name", "email", "phone", "location", "links", "summary", "experience", "education", "skills",
                "years_experience"):
        assert 0.0 <= conf[key] <= 1.0
        assert conf[key] > 0.5, key


def test_missing_fields_are_empty_with_zero_confidence(tmp_path: Path) -> None:
    p = tmp_path / "bare.txt"
    p.write_text("Ravi Kumar\n\nSkills\nPython, SQL\n")
    profile = parse_resume(p)
    assert profile["identity"]["email"] is None and profile["confidence"]["email"] == 0.0
    assert profile["experience"] == [] and profile["confidence"]["experience"] == 0.0
    assert profile["skills"] == ["Python", "SQL"]


@pytest.mark.parametrize("make, words", [
    (rs.write_encrypted_pdf, "password-protected"),
    (rs.write_image_only_pdf, "image-only"),
    (rs.write_corrupt_pdf, "corrupt PDF"),
    (rs.write_corrupt_docx, "corrupt DOCX"),
    (rs.write_binary_junk, "binary"),
    (rs.write_empty, "empty"),
])
def test_unreadable_files_raise_one_line_resume_error(tmp_path: Path, make, words: str) -> None:
    with pytest.raises(ResumeError) as info:
        parse_resume(make(tmp_path))
    assert isinstance(info.value, TalvixError)
    message = str(info.value)
    assert words in message and "\n" not in message


def test_date_forms_are_normalised() -> None:
    assert normalise_date("Mar 2019") == "2019-03"
    assert normalise_date("September, 2020") == "2020-09"
    assert normalise_date("03/2019") == "2019-03"
    assert normalise_date("2019-3") == "2019-03"
    assert normalise_date("2019") == "2019"
    assert normalise_date("Till date") == "present"
    assert normalise_date("someday") is None


LABELLED = """Rahul Verma
rahul.v@example.in | 9876543210 | Location: Noida

PROFESSIONAL EXPERIENCE
Company: HCL Technologies Ltd
Designation: Senior Analyst
Duration: Aug 2019 - Till Date
Responsibilities:
- Built dashboards in Power BI for 12 clients

Backend Developer at Zerodha (Jan 2017 - Jul 2019)
- Wrote order-matching services in Java

EDUCATION
MCA, Amity University, 2017
"""


def test_labelled_and_title_at_company_layouts(tmp_path: Path) -> None:
    view = flat_view(parse_resume(rs.write_text(tmp_path, "rahul.txt", LABELLED)))
    assert view["phone"] == "+919876543210"  # a bare 10-digit Indian mobile
    assert view["location"] == "Noida"
    assert [(e["employer"], e["title"], e["start"], e["end"]) for e in view["experience"]] == [
        ("HCL Technologies Ltd", "Senior Analyst", "2019-08", "present"),
        ("Zerodha", "Backend Developer", "2017-01", "2019-07"),
    ]
    assert view["experience"][0]["bullets"] == ["Built dashboards in Power BI for 12 clients"]
    assert view["education"][0]["degree"] == "MCA" and view["education"][0]["institution"] == "Amity University"
