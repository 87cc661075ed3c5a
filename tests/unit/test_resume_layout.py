"""Resume parsing on the things real files do: odd characters, phone countries, tabs, bombs, guessed fields."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from core.candidates.resume import parse_resume
from core.candidates.resume.extract import MAX_STREAM_UNPACKED, ResumeError, normalise_text, read_resume_bytes
from core.candidates.resume.parse import country_of, parse_lines

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "resumes" / "files"


def test_ligatures_soft_hyphens_nbsp_tabs_and_icons_become_plain_text() -> None:
    assert normalise_text("Ofﬁce workﬂow eﬃcient") == "Office workflow efficient"
    assert normalise_text("+1\u00a0646\u00ad555\u00ad0117") == "+1 6465550117"
    assert normalise_text("Engineer\tJan 2020 – Present") == "Engineer   Jan 2020 – Present"
    assert normalise_text("✉ maya@example.com ☎ 555") == " maya@example.com  555".rstrip()
    assert normalise_text("\uf0b7 Built the ledger") == "• Built the ledger"  # Word's Symbol-font bullet


@pytest.mark.parametrize("header, phone, country", [
    ("New York, NY | 646-201-4432", "+16462014432", "US"),  # a US number on a US resume is not +91
    ("Leeds, UK | 0113 496 0750", "+441134960750", "GB"),
    ("Pune, Maharashtra | +44 20 7946 0321", "+442079460321", "IN"),  # the number's own prefix wins
    ("Kochi, Kerala | 98450 12345", "+919845012345", "IN"),
])
def test_phone_country_from_its_prefix_then_the_resume_location(header: str, phone: str, country: str) -> None:
    profile = parse_lines(["Maya Okafor", header, "maya@example.com"])
    assert profile["identity"]["phone"] == phone
    assert country_of(header.split("|")[0]) == country
    assert profile["confidence"]["phone"] >= 0.9
    assert "phone" not in profile["to_confirm"]


def test_india_is_only_a_guess_when_nothing_says_otherwise() -> None:
    profile = parse_lines(["Ravi Kumar", "98450 12345 | ravi@example.com"])
    assert profile["identity"]["phone"] == "+919845012345"
    assert profile["confidence"]["phone"] < 0.8 and "phone" in profile["to_confirm"]


def test_a_tab_between_the_words_of_a_name_keeps_the_surname() -> None:
    profile = parse_lines(["Kavya\tReddy", "Hyderabad, Telangana | kavya@example.com", "Skills", "Python\tSQL\tDocker"])
    assert (profile["identity"]["first_name"], profile["identity"]["last_name"]) == ("Kavya", "Reddy")
    assert profile["skills"] == ["Python", "SQL", "Docker"]


def test_skills_never_come_from_running_texts_other_words() -> None:
    lines = ["Asha Rao", "Work Experience", "Teacher, Greenfield School   2019 - Present",
             "• Met with parents regularly and used Excel for grades", "Skills", "Curriculum Design, with, SQL"]
    skills = parse_lines(lines)["skills"]
    assert "SQL" in skills and "Excel" in skills and "Curriculum Design" in skills
    for stray in ("with", "regularly", "parents"):
        assert stray not in [s.lower() for s in skills]


def test_location_comes_from_the_header_and_says_its_country() -> None:
    profile = parse_lines(["Maya Okafor", "maya@example.com   (646) 555-0117   Austin, TX"])
    assert profile["identity"]["location"] == "Austin, TX"
    assert profile["identity"]["phone"] == "+16465550117"


def test_employer_is_not_the_state_nor_glued_to_its_location() -> None:
    lines = ["Maya Okafor", "maya@example.com", "Experience",
             "Senior Engineer   Jan 2021 – Present", "Stripe • San Francisco, CA",
             "Engineer, Loopwise, Austin, TX   2018 – 2020", "Analyst at Kestrel Robotics", "2016 – 2018 | Denver, CO"]
    exp = parse_lines(lines)["experience"]
    assert [(e["employer"], e["title"]) for e in exp] == [("Stripe", "Senior Engineer"), ("Loopwise", "Engineer"),
                                                          ("Kestrel Robotics", "Analyst")]
    assert [e["location"] for e in exp] == ["San Francisco, CA", "Austin, TX", "Denver, CO"]


def test_name_printed_at_the_bottom_of_a_sidebar_is_found_and_kept_out_of_its_section() -> None:
    profile = parse_resume(next(CORPUS.glob("02-*.pdf")))
    assert (profile["identity"]["first_name"], profile["identity"]["last_name"]) == ("Ananya", "Iyer")
    assert profile["confidence"]["name"] >= 0.8
    assert all("Ananya" not in (e["institution"] or "") for e in profile["education"])


def test_indian_personal_details_give_notice_period_and_ctc() -> None:
    work = parse_resume(next(CORPUS.glob("02-*.pdf")))["work"]
    assert work["current_ctc_lpa"] == 10.0 and work["expected_ctc_lpa"] == 14.0
    assert work["notice_period_days"] == 0  # "Immediate"


def _pdf_with_stream(payload: bytes) -> bytes:
    body = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
            b"4 0 obj<</Length " + str(len(payload)).encode() + b"/Filter/FlateDecode>>stream\n" + payload +
            b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return body


def test_a_pdf_stream_that_unpacks_past_the_cap_is_refused_before_it_is_read() -> None:
    bomb = zlib.compress(b"\0" * (MAX_STREAM_UNPACKED + 1024 * 1024), 9)
    assert len(bomb) < 200_000
    with pytest.raises(ResumeError) as info:
        read_resume_bytes(_pdf_with_stream(bomb), "bomb.pdf")
    assert "unpacks to more than" in str(info.value) and "\n" not in str(info.value)


def test_a_pdf_with_ordinary_compressed_streams_is_read() -> None:
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pageCompression=1)
    c.drawString(72, 700, "Ravi Kumar ravi@example.com")
    c.save()
    assert b"FlateDecode" in buf.getvalue()
    assert "ravi@example.com" in " ".join(read_resume_bytes(buf.getvalue(), "ok.pdf").lines)


def test_the_issues_us_example_is_plus_one_and_asks_to_confirm_the_unknown_number() -> None:
    lines = ["JORDAN ELLIS", "NYC · 123-456-7890 · jordan.ellis@example.com", "WORK EXPERIENCE",
             "Stripe • San Francisco, CA   2021 – Present", "Senior Software Engineer"]
    profile = parse_lines(lines)
    assert profile["identity"]["location"] == "NYC"  # from the header, never from a role's line
    assert profile["identity"]["phone"] == "+11234567890"  # not +91: the resume says New York
    assert "phone" in profile["to_confirm"]  # 123 is no US area code: a person checks it
    assert profile["experience"][0]["employer"] == "Stripe"


def test_a_cv_title_is_not_the_name_and_an_address_gives_its_city() -> None:
    lines = ["Curriculum Vitae", "Name: Rohan Verma", "Email: rohan.verma@example.in   Mobile: 9876543210",
             "Address: 12 MG Road, Indiranagar, Bengaluru - 560038", "Career Objective", "To build things."]
    ident = parse_lines(lines)["identity"]
    assert (ident["first_name"], ident["last_name"]) == ("Rohan", "Verma")
    assert ident["location"] == "Bengaluru" and ident["phone"] == "+919876543210"
