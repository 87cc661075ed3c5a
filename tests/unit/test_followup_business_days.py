"""Follow-up timing in business days: weekends and holidays do not count, periods are N business days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.outcomes import followups as fu

IST = ZoneInfo("Asia/Kolkata")


def brute(start: date, end: date, holidays: frozenset[date] = frozenset()) -> int:
    n, d = 0, start
    while d < end:
        d += timedelta(days=1)
        n += d.weekday() < 5 and d not in holidays
    return n


def test_a_weekend_does_not_count() -> None:
    fri = date(2026, 11, 27)  # a Friday
    assert fu.business_days_between(fri, date(2026, 11, 29)) == 0  # Sat, Sun
    assert fu.business_days_between(fri, date(2026, 11, 30)) == 1  # Monday
    assert fu.add_business_days(fri, 1) == date(2026, 11, 30)
    assert fu.add_business_days(fri, 5) == date(2026, 12, 4)


def test_holidays_do_not_count_and_a_weekend_holiday_is_not_subtracted_twice() -> None:
    mon = date(2026, 12, 21)
    hol = frozenset({date(2026, 12, 25), date(2026, 12, 26)})  # a Friday and a Saturday
    assert fu.business_days_between(mon, date(2026, 12, 28), hol) == 4  # Tue, Wed, Thu, Mon
    assert fu.add_business_days(mon, 4, hol) == date(2026, 12, 28)


def test_counting_matches_day_by_day_over_a_year_of_starts() -> None:
    hol = frozenset({date(2026, 1, 26), date(2026, 8, 15), date(2026, 10, 2), date(2026, 11, 8)})
    start = date(2026, 1, 1)
    for i in range(0, 365, 3):
        s = start + timedelta(days=i)
        for span in (0, 1, 4, 6, 7, 9, 15, 31):
            assert fu.business_days_between(s, s + timedelta(days=span), hol) == brute(s, s + timedelta(days=span), hol)
        assert fu.business_days_between(fu.add_business_days(s, 7, hol) - timedelta(days=0), s, hol) == 0
        assert brute(s, fu.add_business_days(s, 7, hol), hol) == 7


@pytest.mark.parametrize("now_local, expected", [
    (datetime(2026, 12, 10, 9, 0), 0),   # Thursday: 6 business days after Wednesday 2 Dec
    (datetime(2026, 12, 11, 9, 0), 1),   # Friday: 7 -> the first period
    (datetime(2026, 12, 13, 23, 0), 1),  # Sunday: still 7
    (datetime(2026, 12, 22, 9, 0), 2),   # 14 business days -> the second period
])
def test_period_is_business_days_since_submission_over_n(now_local: datetime, expected: int) -> None:
    submitted = datetime(2026, 12, 2, 15, 30, tzinfo=IST).astimezone(UTC)
    now = now_local.replace(tzinfo=IST)
    assert fu.period_of(submitted, now, 7, IST) == expected


def test_the_day_is_taken_in_the_configured_timezone() -> None:
    # 20:00 UTC on Thursday is already Friday 01:30 in India: in India no business day has passed by Friday
    # morning, in UTC one has.
    submitted = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    friday_morning = datetime(2026, 12, 4, 10, 0, tzinfo=IST)
    assert fu.period_of(submitted, friday_morning, 1, IST) == 0
    assert fu.period_of(submitted, friday_morning, 1, ZoneInfo("UTC")) == 1


def test_a_note_to_a_recruiter_states_only_the_application_facts() -> None:
    subject, body = fu.compose("recruiter", candidate_name="Priya Sharma", job_title="Backend Engineer",
                               company="Acme Payments", applied_on=date(2026, 12, 2), business_days=7)
    assert subject == "Following up on my application for Backend Engineer"
    assert "Backend Engineer position at Acme Payments on 2 December 2026" in body
    assert body.endswith("Priya Sharma")
    subject, body = fu.compose("candidate_reminder", candidate_name="Priya Sharma", job_title="Backend Engineer",
                               company="Acme Payments", applied_on=date(2026, 12, 2), business_days=7)
    assert body.startswith("Hi Priya,") and "7 business days ago" in body
