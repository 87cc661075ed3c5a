"""Which refused values the answer sheet can fix (core.apply_engine.fixes): the same fact, written as the page asks."""

from __future__ import annotations

import datetime as dt

from core.apply_engine.answers import Answer, render_date
from core.apply_engine.fixes import fix

PROFILE = {"identity": {"phone": "+91 98450 00000"}}


def _ans(value: str, source: str = "identity.phone", type_: str = "tel", raw: object = None) -> Answer:
    return Answer("Q", "q", type_, True, value=value, source=source, confidence=1.0, raw=raw)


def test_a_phone_is_rewritten_with_or_without_its_country_code() -> None:
    phone = _ans("+91 98450 00000")
    assert fix(phone, "Enter a valid 10-digit mobile number without +91 or spaces", PROFILE).value == "9845000000"
    assert fix(phone, "Do not include the country code", PROFILE).value == "9845000000"
    assert fix(phone, "Use the international format without spaces, e.g. +14155550123", PROFILE).value == "+919845000000"
    assert fix(_ans("9845000000"), "Please include your country code", PROFILE).value == "+91 9845000000"
    assert fix(phone, "Digits only", PROFILE).value == "919845000000"
    assert fix(phone, "This number is already registered", PROFILE) is None
    assert fix(_ans("9845000000"), "Enter a 10-digit mobile number", PROFILE) is None  # already so: nothing to fix


def test_a_number_loses_its_unit_only_where_the_unit_is_named() -> None:
    ctc = _ans("24 LPA", "work.expected_ctc_lpa", "text")
    assert fix(ctc, "Expected CTC must be a number, in lakhs per annum").value == "24"
    assert fix(ctc, "Numbers only", context="Expected CTC (in LPA)").value == "24"
    assert fix(ctc, "Numbers only", context="Expected CTC") is None  # 24 what? rupees? a person decides
    notice = _ans("30 days", "work.notice_period_days", "text")
    assert fix(notice, "Please enter the number of days only (numbers only)").value == "30"
    assert fix(_ans("Immediately", "work.notice_period_days", "text"), "Must be a number", context="Notice (days)").value == "0"


def test_a_date_is_rewritten_in_the_format_the_message_names() -> None:
    day = dt.date(2027, 1, 4)
    start = _ans("2027-01-04", "work.notice_period_days", "text", raw=day)
    assert fix(start, "Use the format DD/MM/YYYY").value == "04/01/2027"
    assert fix(start, "Invalid date (mm-dd-yyyy)").value == "01-04-2027"
    assert fix(start, "Please enter a valid date") is None
    assert render_date(day, "dd mmm yyyy") == "04 Jan 2027"


def test_a_text_is_shortened_only_when_nothing_is_cut() -> None:
    link = _ans("https://www.asharaman.dev/", "links.portfolio", "text")
    assert fix(link, "Website must be at most 20 characters").value == "www.asharaman.dev"
    assert fix(link, "Max 13 characters").value == "asharaman.dev"
    assert fix(link, "Must be less than 10 characters") is None
    essay = _ans("I have led three data platform migrations.", "answers[Why us?]", "textarea")
    assert fix(essay, "Maximum 20 characters") is None  # only cutting it would fit


def test_a_joining_time_becomes_a_date_when_the_page_asks_for_one() -> None:
    join = Answer("When can you join?", "doj", "text", True, value="30 days", source="work.notice_period_days",
                  confidence=1.0)
    day = dt.date.today() + dt.timedelta(days=30)
    assert fix(join, "Enter a date in DD/MM/YYYY format", {"work": {"notice_period_days": 30}}).value == day.strftime("%d/%m/%Y")
    assert fix(join, "Enter a date in DD/MM/YYYY format", {"work": {}}) is None


def test_a_page_asking_for_another_countrys_number_is_not_given_one() -> None:
    us = {"identity": {"phone": "+1 415 555 0123"}}
    assert fix(_ans("+1 415 555 0123"), "Enter a 10-digit mobile number without +91", us) is None
    assert fix(_ans("+1 415 555 0123"), "Enter the number without the country code", us).value == "4155550123"
