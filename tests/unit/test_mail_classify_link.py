"""Replies in the shapes ATSs and recruiters send (tests/corpus/mail): parsed, classified and linked by
metadata, with the thresholds that keep a doubtful link for a person."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.outcomes import mail

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "mail"

#: Priya's submitted applications (as the linker reads them from applications x jobs).
APPS = [
    {"id": 1, "company": "Acme Payments", "title": "Senior Backend Engineer", "ats": "greenhouse",
     "url": "https://boards.greenhouse.io/acmepayments/jobs/1001", "apply_url": None,
     "submitted_at": datetime(2026, 11, 20, 9, 0, tzinfo=UTC)},
    {"id": 2, "company": "Zenloop", "title": "Data Engineer", "ats": "lever",
     "url": "https://jobs.lever.co/zenloop/5f2c", "apply_url": "https://jobs.lever.co/zenloop/5f2c/apply",
     "submitted_at": datetime(2026, 11, 18, 9, 0, tzinfo=UTC)},
    {"id": 3, "company": "Orbit Labs", "title": "Platform Engineer", "ats": "ashby",
     "url": "https://jobs.ashbyhq.com/orbitlabs/22aa", "apply_url": None,
     "submitted_at": datetime(2026, 11, 25, 9, 0, tzinfo=UTC)},
    {"id": 4, "company": "Acme Payments", "title": "Site Reliability Engineer", "ats": "greenhouse",
     "url": "https://boards.greenhouse.io/acmepayments/jobs/1002", "apply_url": None,
     "submitted_at": datetime(2026, 11, 21, 9, 0, tzinfo=UTC)},
    {"id": 5, "company": "Northwind Retail Pvt Ltd", "title": "Backend Developer", "ats": None,
     "url": "https://careers.northwind.in/jobs/77", "apply_url": None,
     "submitted_at": datetime(2026, 11, 10, 9, 0, tzinfo=UTC)},
]
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

EXPECTED = [
    # file, class, linked application (None: left for an operator)
    ("01_greenhouse_confirmation.eml", "confirmation", 1),
    ("02_greenhouse_rejection.eml", "rejection", 4),
    ("03_greenhouse_ambiguous_phone_screen.eml", "interview", None),
    ("04_lever_interview_with_ics.eml", "interview", 2),
    ("05_ashby_assessment.eml", "assessment", 3),
    ("06_recruiter_direct_phone_screen.eml", "interview", 1),
    ("07_offer_with_letter.eml", "offer", 5),
    ("08_workday_unknown_company.eml", "confirmation", None),
    ("09_job_alert_newsletter.eml", "other", None),
    ("10_rejection_after_interview.eml", "rejection", 2),
    ("12_india_hr_interview_scheduled.eml", "interview", 5),
]


def load(name: str) -> mail.Parsed:
    return mail.parse((CORPUS / name).read_bytes())


@pytest.mark.parametrize("name, label, _app", EXPECTED)
def test_each_reply_is_classified_as_what_it_says(name: str, label: str, _app: int | None) -> None:
    c = mail.classify(load(name))
    assert c.label == label, (c.scores, c.reasons)
    if label != "other":
        assert c.reasons and 0.5 <= c.confidence <= 0.99


@pytest.mark.parametrize("name, _label, app", EXPECTED)
def test_each_reply_is_linked_only_when_one_application_stands_out(name: str, _label: str, app: int | None) -> None:
    lk = mail.link(load(name), APPS, threshold=0.6, now=NOW)
    assert lk.application_id == app, (lk.confidence, lk.reasons)
    if app is not None:
        assert lk.confidence >= 0.6 and lk.confidence - lk.runner_up >= 0.15


def test_the_calendar_invitation_gives_the_interview_time_in_its_timezone() -> None:
    p = load("04_lever_interview_with_ics.eml")
    assert p.attachments == ["invite.ics"]
    [ev] = p.calendar
    assert ev.method == "REQUEST"
    assert ev.start == "2026-12-10T15:00:00+05:30" and ev.end == "2026-12-10T16:00:00+05:30"
    assert ev.summary == "Zenloop - Technical Interview, Data Engineer (Priya Sharma)"
    assert ev.organizer == "meera.iyer@zenloop.io" and ev.location.startswith("https://meet.google.com/")
    assert p.reply_to == "meera.iyer@zenloop.io" and mail.is_automated_sender(p.sender)
    assert "calendar invitation (.ics)" in mail.classify(p).reasons


def test_html_only_and_quoted_printable_bodies_are_read_as_text() -> None:
    rej = load("02_greenhouse_rejection.eml")
    assert "<" not in rej.text and "decided to move forward with other candidates" in rej.text
    qp = load("06_recruiter_direct_phone_screen.eml")
    assert "30 minute phone screen" in qp.text and "=\n" not in qp.text


def test_a_rejection_that_thanks_for_applying_is_not_an_acknowledgement() -> None:
    c = mail.classify(load("02_greenhouse_rejection.eml"))
    assert c.label == "rejection" and c.scores["confirmation"] == 0.0


def test_a_higher_threshold_leaves_weaker_links_to_a_person() -> None:
    p = load("05_ashby_assessment.eml")
    assert mail.link(p, APPS, threshold=0.6, now=NOW).application_id == 3
    strict = mail.link(p, APPS, threshold=0.99, now=NOW)
    assert strict.application_id is None and "below the threshold" in strict.reasons[-1]


def test_a_message_sent_before_the_application_is_not_linked_to_it() -> None:
    p = load("01_greenhouse_confirmation.eml")
    late = [dict(APPS[0], submitted_at=datetime(2026, 11, 25, tzinfo=UTC))]
    lk = mail.link(p, late, threshold=0.6, now=NOW)
    assert lk.application_id is None and "sent before the application was submitted" in lk.reasons


def test_role_and_ats_addresses_are_not_people_to_follow_up_with() -> None:
    for addr in ("no-reply@us.greenhouse-mail.io", "careers@acme.com", "noreply+x@zenloop.io", "talent@zenloop.io",
                 "globex@myworkday.com"):
        assert mail.is_automated_sender(addr), addr
    for addr in ("rahul.menon@acmepayments.com", "meera.iyer@zenloop.io"):
        assert not mail.is_automated_sender(addr), addr


def test_a_malformed_message_parses_to_something_rather_than_raising() -> None:
    p = mail.parse(b"From: =?bogus?Q?x?= <>\r\nSubject: \x1b[31mred\r\nDate: not a date\r\n\r\n\xff\xfe body")
    assert p.date is None and "\x1b" not in p.subject
    assert mail.classify(p).label == "other"
