"""Fixing a field the page refused at submit, where the answer sheet allows it.

After the submit click a page may refuse a value it had kept while filling: its own check wants the
phone without (or with) the country code, a number without its unit, a date in another format, or a
shorter text. When the page's message says which form it wants *and* the same fact can be written that
way without changing what it says, :func:`fix` gives the re-rendered value. Anything else (the message
asks for something the profile does not say, the text would have to be cut, the message is not
understood) gives None: the application goes to a person naming the field and the page's message.

Nothing here invents: the new value is always the same fact (the candidate's number, the same amount,
the same date), only written the way the page asked for.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from core.apply_engine.answers import _START, DATE_FORMAT, Answer, _phone, render_date

_NO_CC = re.compile(
    r"without (the |a |any )?(\+|country|isd|std|dial(l?ing)?|calling)( ?code)?|"
    r"(do not|don'?t|dont|no need to|never) (include|add|enter|use|type|prefix)( the| a)? (\+|country|isd|dial|calling|\d)|"
    r"\b10.?digits?\b|\bnational (number|format)|\blocal (number|format)|must not (start|begin) with (a )?\+|"
    r"remove (the )?(\+|country|isd)|exclude (the )?(\+|country|isd)|no country code", re.I)
_WITH_CC = re.compile(
    r"(include|with|add|start(ing)? with|begin(ning)? with|prefix(ed)? (with|by)?)( the| a| your)? "
    r"(\+|country|international|dial(l?ing)? code|calling code|isd)|international format|e\.?164|"
    r"must (start|begin) with (a )?\+", re.I)
_COMPACT = re.compile(r"(digits|numbers|numerals) only|only (digits|numbers|numerals|numeric)|\bnumeric\b|"
                      r"no (spaces|dashes|hyphens|special characters|symbols)|without (spaces|dashes|hyphens|symbols)|"
                      r"must be a (valid |whole )?(number|integer)|not a (valid )?number|whole number|\binteger\b|"
                      r"enter a (valid )?number|only numbers", re.I)
_MAXLEN = (
    re.compile(r"(?:at most|maximum(?: of)?|max\.?|no more than|up to|cannot exceed|can'?t exceed|must not exceed|"
               r"not exceed|should not exceed|limit(?:ed)?(?: is| to| of)?|longer than)\s*(\d+)\s*(?:characters|chars?|letters)",
               re.I),
    re.compile(r"(\d+)\s*(?:characters|chars?|letters)\s*(?:or less|or fewer|max(?:imum)?|at most|limit)", re.I),
)
_LESS_THAN = re.compile(r"(?:less|fewer) than\s*(\d+)\s*(?:characters|chars?|letters)", re.I)
#: Unit words a number may have been written with, and the words that name the same unit.
_UNITS = {
    "lpa": r"lpa|lakhs?|lacs?|l\.p\.a",
    "lakh": r"lpa|lakhs?|lacs?",
    "lakhs": r"lpa|lakhs?|lacs?",
    "day": r"days?",
    "days": r"days?",
    "week": r"weeks?",
    "weeks": r"weeks?",
    "month": r"months?",
    "months": r"months?",
    "year": r"years?|yrs?",
    "years": r"years?|yrs?",
    "yrs": r"years?|yrs?",
}


@dataclass
class Fix:
    value: str
    how: str  # what was changed, for the receipt and the sheet's source


def fix(ans: Answer, message: str, profile: dict[str, Any] | None = None, *, context: str = "") -> Fix | None:
    """The value the page's ``message`` asks for, written from the same fact as ``ans``; None if there is none.

    ``context`` is the question's own text (label, hint, placeholder): a unit it names counts as named.
    """
    if not ans.answered or ans.type in ("file", "checkbox", "checkboxes", "radio", "select", "combobox"):
        return None
    current = str(ans.value)
    for attempt in (_phone_fix, _date_fix, _number_fix, _length_fix):
        got = attempt(ans, current, message, profile or {}, context)
        if got is not None:
            return got if got.value != current else None
    return None


def _phone_fix(ans: Answer, current: str, message: str, profile: dict[str, Any], context: str) -> Fix | None:
    if not ((ans.source or "").startswith("identity.phone") or ans.type == "tel"):
        return None
    parsed = _phone((profile.get("identity") or {}).get("phone")) or _phone(current)
    if parsed is None:
        return None
    cc, national = parsed[0], parsed[1]
    compact = bool(_COMPACT.search(message))
    limit = _max_length(message)
    named = set(re.findall(r"\+\s?(\d{1,3})\b", message))
    if _NO_CC.search(message):  # before "include": "do not include the country code"
        if named and cc.lstrip("+") not in named:
            return None  # "without +91" for a +1 number: the page wants a number the candidate does not have
        value, how = national, "the national number, without the country code"
    elif _WITH_CC.search(message):
        value = f"{cc}{national}" if compact or re.search(r"without spaces|no spaces|e\.?164", message, re.I) \
            else f"{cc} {national}"
        how = "the number with its country code"
    elif limit is not None and len(current) > limit:
        value = national if len(national) <= limit else ""
        how = "the national number, to fit the length the page allows"
    elif compact:
        value, how = re.sub(r"\D", "", current), "the same number, digits only"
    else:
        return None
    if not value or (limit is not None and len(value) > limit):
        return None
    return Fix(value, how)


def _date_fix(ans: Answer, current: str, message: str, profile: dict[str, Any], context: str) -> Fix | None:
    m = DATE_FORMAT.search(message)
    if m is None:
        return None
    day = ans.raw if isinstance(ans.raw, dt.date) else None
    days = (profile.get("work") or {}).get("notice_period_days")
    if day is None and (ans.source or "").startswith("work.notice_period_days") and days is not None \
            and _START.search(f"{ans.label} {context}"):
        # "When can you join?" answered "30 days" in a text box; the page wants a date: the same fact as one
        day = dt.date.today() + dt.timedelta(days=int(days))
    if day is None:
        return None
    pattern = m.group(0)
    return Fix(render_date(day, pattern), f"the same date as {pattern}")


def _number_fix(ans: Answer, current: str, message: str, profile: dict[str, Any], context: str) -> Fix | None:
    """"18 LPA" -> "18" when the page wants a bare number and its unit is named (in the message or question)."""
    if not _COMPACT.search(message):
        return None
    m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z.]+)\s*", current)
    if m is None:
        if current.strip().lower() == "immediately" and (ans.source or "").startswith("work.notice_period_days") \
                and re.search(r"\bdays?\b", f"{message} {context}", re.I):
            return Fix("0", "the notice period as a number of days")
        return None
    unit = m.group(2).lower().rstrip(".")
    names = _UNITS.get(unit)
    if names is None or not re.search(rf"(?<![a-z])({names})(?![a-z])", f"{message} {context}", re.I):
        return None  # the bare number would not say what it counts
    return Fix(m.group(1), f"the number without its unit ({m.group(2)}, which the question names)")


def _length_fix(ans: Answer, current: str, message: str, profile: dict[str, Any], context: str) -> Fix | None:
    """A shorter way of writing the same thing (spaces, a link's ``https://www.``); never a cut."""
    limit = _max_length(message)
    if limit is None or len(current) <= limit:
        return None
    for how, value in _shorter(current):
        if len(value) <= limit:
            return Fix(value, how)
    return None  # only cutting it would fit: a person decides


def _shorter(value: str) -> list[tuple[str, str]]:
    out = [("spaces collapsed", re.sub(r"\s+", " ", value).strip())]
    if re.match(r"https?://", value.strip(), re.I):
        v = value.strip()
        v = re.sub(r"/+$", "", v)
        out.append(("the link without its trailing slash", v))
        v = re.sub(r"^https?://", "", v, flags=re.I)
        out.append(("the link without https://", v))
        v = re.sub(r"^www\.", "", v, flags=re.I)
        out.append(("the link without https://www.", v))
    return out


def _max_length(message: str) -> int | None:
    for rx in _MAXLEN:
        m = rx.search(message)
        if m:
            return int(m.group(1))
    m = _LESS_THAN.search(message)
    return int(m.group(1)) - 1 if m else None
