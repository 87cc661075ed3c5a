"""The answer sheet: what Talvix will type into each field, where each answer came from, how sure it is.

An answer is only ever taken from the candidate's profile (identity, links, work, skills_years, answers,
eeo, preferences), their documents, or an operator's edit. Nothing is invented: a question the profile
cannot answer stays empty, and if it is required the application goes to a person naming it.

* Demographic, EEO and salary questions are optional facts: they are answered only from what the
  candidate set, otherwise left blank or answered with the form's own "decline to answer" option.
* Declarations ("I certify the above is true") are ticked only when every other answer is sourced and
  every required question answered; otherwise they are left for a person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.apply_engine.forms import FormField
from core.apply_engine.options import _NO, _YES, _days, _n, _similar, best_option, decline_option

#: Confidence of an operator's edit and of a fact copied verbatim from the profile.
CERTAIN = 1.0

_DECLARATION = re.compile(
    r"\b(certify|attest|declare|hereby|acknowledge|i agree|agree to|i consent|consent to|i confirm|confirm that|"
    r"true and (correct|complete|accurate)|above is (true|correct|accurate)|terms|privacy (policy|notice))\b", re.I)
_EEO = {
    "gender": re.compile(r"\b(gender|sex)\b", re.I),
    "race": re.compile(r"\b(race|racial|ethnic\w*|hispanic|latin[oax])\b", re.I),
    "veteran": re.compile(r"\bveteran|military service|armed forces\b", re.I),
    "disability": re.compile(r"\bdisabilit|disabled\b", re.I),
    "sexual_orientation": re.compile(r"sexual orientation|lgbt", re.I),
    "transgender": re.compile(r"transgender", re.I),
    "pronouns": re.compile(r"\bpronoun", re.I),
    "age": re.compile(r"\b(age|date of birth|birth ?date|dob)\b", re.I),
}


@dataclass
class Answer:
    """One row of the answer sheet."""

    label: str
    name: str
    type: str
    required: bool
    value: Any = None  # what goes into the form (option text, string, bool, file path, list)
    source: str | None = None  # profile key, document, answer bank, policy, operator, candidate (whatsapp reply)
    confidence: float = 0.0
    note: str = ""  # why it is empty, for the person who has to decide
    declaration: bool = False
    key: str = ""
    field: FormField | None = None
    #: The fact itself when ``value`` is one way of writing it (a date): what a fix re-renders (fixes.py).
    raw: Any = None

    @property
    def answered(self) -> bool:
        return self.value not in (None, "", []) and self.source is not None

    def public(self) -> dict[str, Any]:
        """The row as the CLI, approvals and receipts show it (file paths shown by name only)."""
        value = self.value
        if self.type == "file" and isinstance(value, str):
            value = Path(value).name
        return {"label": self.label, "name": self.name, "type": self.type, "required": self.required,
                "value": value, "source": self.source, "confidence": round(float(self.confidence), 2)}


@dataclass
class AnswerSheet:
    answers: list[Answer] = field(default_factory=list)
    min_confidence: float = 0.7

    def unanswered(self) -> list[str]:
        """Labels of required questions without a confident answer.

        A declaration held back only because another answer is missing is not listed: answering the
        others is what unblocks it.
        """
        missing = [a for a in self.answers if a.required and (not a.answered or a.confidence < self.min_confidence)]
        questions = [a for a in missing if not a.declaration]
        return [a.label or a.name for a in (questions or missing)]

    def uncertain(self, threshold: float) -> list[str]:
        return [a.label or a.name for a in self.answers if a.answered and a.confidence < threshold]

    def fields(self) -> list[dict[str, Any]]:
        return [a.public() for a in self.answers]

    def by_key(self) -> dict[str, Answer]:
        return {a.key: a for a in self.answers}


# --------------------------------------------------------------------------------------------------
# Building the sheet
# --------------------------------------------------------------------------------------------------
@dataclass
class Documents:
    """Files the form may ask for: absolute paths, plus the cover letter text when there is one."""

    resume: Path | None = None
    cover_letter: Path | None = None
    cover_letter_text: str | None = None
    resume_source: str = "candidate.resume_path"
    cover_source: str = "documents.cover_letter"


def _fmt_number(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


class _Facts:
    def __init__(self, profile: dict[str, Any]) -> None:
        self.p = profile
        self.ident = dict(profile.get("identity") or {})
        self.links = dict(profile.get("links") or {})
        self.work = dict(profile.get("work") or {})
        self.skills_years = {str(k): v for k, v in (profile.get("skills_years") or {}).items()}
        self.bank = {str(k): v for k, v in (profile.get("answers") or {}).items()}
        self.eeo = profile.get("eeo")
        self.prefs = dict(profile.get("preferences") or {})
        self.split_phone = False  # the form has a country-code control beside the phone number
        self.split_experience = False  # the form asks total experience as years and months, side by side
        self.split_ctc: set[str] = set()  # CTCs the form asks as lakhs and thousands ("current_ctc_lpa", ...)
        self.phone = _phone(self.ident.get("phone"))
        location = str(self.ident.get("location") or "")
        parts = [x.strip() for x in location.split(",") if x.strip()]
        self.city = parts[0] if parts and country_in(parts[0]) is None else None
        self.country = country_in(location) or (self.phone[2] if self.phone else None)
        self.country_source = "identity.location" if country_in(location) else "identity.phone"
        employers = [str(e.get("employer")) for e in profile.get("experience") or [] if isinstance(e, dict) and e.get("employer")]
        if self.work.get("current_company"):
            employers.append(str(self.work["current_company"]))
        self.employers = employers

    def authorized(self, country: str | None) -> bool | None:
        """Whether the candidate may work in ``country``: from a per-country list, a table, or one yes/no."""
        a = self.work.get("authorized_to_work")
        if isinstance(a, bool):
            return a
        if country is None:
            return None
        if isinstance(a, (list, tuple)):
            return any(country_in(str(x)) == country for x in a)
        if isinstance(a, dict):
            for k, v in a.items():
                if country_in(str(k)) == country and isinstance(v, bool):
                    return v
        return None


#: Countries a question may name, with the ways forms write them (lower case; matched as whole words).
_COUNTRIES: dict[str, tuple[str, ...]] = {
    "India": ("india", "bharat"),
    "United States": ("united states of america", "united states", "u.s.a.", "u.s.", "america"),
    "United Kingdom": ("united kingdom", "great britain", "britain", "england", "u.k."),
    "United Arab Emirates": ("united arab emirates", "dubai", "abu dhabi"),
    **{c: (c.lower(),) for c in (
        "Singapore", "Germany", "Canada", "Australia", "Sweden", "Netherlands", "Ireland", "France", "Japan",
        "Switzerland", "Spain", "Poland", "Israel", "New Zealand", "Malaysia", "Philippines", "Indonesia",
        "Sri Lanka", "Bangladesh", "Pakistan", "Nepal", "Portugal", "Italy", "Brazil", "Mexico", "South Africa",
        "Kenya", "Nigeria", "Egypt", "Saudi Arabia", "Qatar", "China", "Hong Kong", "South Korea", "Vietnam",
        "Thailand", "Denmark", "Norway", "Finland", "Belgium", "Austria", "Estonia", "Romania", "Czech Republic")},
}
_CASED = {"US": "United States", "USA": "United States", "UK": "United Kingdom", "UAE": "United Arab Emirates"}
_REGIONS = {"IN": "India", "US": "United States", "GB": "United Kingdom", "SG": "Singapore", "DE": "Germany",
            "CA": "Canada", "AU": "Australia", "AE": "United Arab Emirates", "SE": "Sweden", "NL": "Netherlands",
            "IE": "Ireland", "FR": "France", "JP": "Japan", "CH": "Switzerland", "ES": "Spain", "PL": "Poland"}


def country_in(text: Any) -> str | None:
    """The first country ``text`` names, by its usual name (``"India"``, ``"United States"``), or None."""
    t = str(text or "")
    low = t.lower()
    hits: list[tuple[int, str]] = []
    for name, aliases in _COUNTRIES.items():
        for a in aliases:
            m = re.search(rf"(?<![a-z]){re.escape(a)}(?![a-z])", low)
            if m:
                hits.append((m.start(), name))
    for k, v in _CASED.items():
        m = re.search(rf"(?<![A-Za-z]){k}(?![A-Za-z])", t)
        if m:
            hits.append((m.start(), v))
    return min(hits)[1] if hits else None


def _phone(raw: Any) -> tuple[str, str, str | None] | None:
    """(country calling code "+91", national number "9845000000", country) of an E.164-ish phone."""
    if not raw:
        return None
    import phonenumbers

    try:
        num = phonenumbers.parse(str(raw), "IN")
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(num)
    return f"+{num.country_code}", phonenumbers.national_significant_number(num), _REGIONS.get(region or "")


def _dial_field(f: FormField) -> bool:
    """A phone country-code control: options that are calling codes, or a label that says so."""
    if re.search(r"country.?code|dial(ling)? code|calling code|phone country|phone.?code|\bisd\b", f"{f.label} {f.name}", re.I):
        return f.type in CHOICES
    return f.type in CHOICES and sum(1 for o in f.options if re.search(r"\+\d{1,4}\b", o)) >= max(2, len(f.options) // 2)


_QUESTION = re.compile(r"^(are|do|did|does|have|has|had|will|would|can|could|is|were|was|should|may)\b", re.I)
_YESNO_OPTS = re.compile(r"^(yes|no)\b", re.I)


def _yes_no(f: FormField) -> bool:
    opts = [o for o in f.options if o.strip()]
    return 2 <= len(opts) <= 3 and any(re.match(r"^yes\b", o, re.I) for o in opts) and any(re.match(r"^no\b", o, re.I) for o in opts)


def _answer_bank(facts: _Facts, text: str) -> tuple[str, str, float] | None:
    best: tuple[float, str] | None = None
    for question in facts.bank:
        score = _similar(question, text)
        if best is None or score > best[0]:
            best = (score, question)
    if best is None or best[0] < 0.6:
        return None
    score, question = best
    confidence = 0.95 if score >= 0.9 else round(0.5 + 0.45 * (score - 0.6) / 0.3, 2)
    return str(facts.bank[question]), f"answers[{question}]", confidence


def _skill_in(text: str, skills: dict[str, Any]) -> str | None:
    low = f" {_n(text)} "
    for skill in sorted(skills, key=len, reverse=True):
        if f" {_n(skill)} " in low:
            return skill
    return None


Result = tuple[Any, str | None, float, str]


@dataclass
class _Q:
    """One question as the rules read it: the field, its texts, the facts and the documents."""

    f: FormField
    facts: _Facts
    docs: Documents

    def __post_init__(self) -> None:
        self.text = f"{self.f.label} {self.f.name}".strip()
        self.low = self.text.lower()
        self.label = self.f.label.lower()
        self.ident, self.links, self.work = self.facts.ident, self.facts.links, self.facts.work


def _fact(value: Any, source: str, conf: float = CERTAIN) -> Result:
    if value in (None, "", []):
        return None, None, 0.0, f"profile has no {source}"
    return value, source, conf, ""


def _none(note: str) -> Result:
    return None, None, 0.0, note


class DateValue(str):
    """A date written the way its control takes it, that still knows the date (``.day``): a page that
    refuses the format gets the same date in the format it names (fixes.py)."""

    day: dt.date

    def __new__(cls, text: str, day: dt.date) -> DateValue:
        obj = super().__new__(cls, text)
        obj.day = day
        return obj


#: A date format a control names in its placeholder, hint or label: dd/mm/yyyy, MM-DD-YYYY, yyyy.mm.dd...
DATE_FORMAT = re.compile(r"\b(dd|mm|yyyy|yy|mmm)([/.\- ])(dd|mm|mmm)\2(yyyy|yy|dd)\b", re.I)


def render_date(day: dt.date, pattern: str) -> str:
    """``day`` written as ``pattern`` says (``dd/mm/yyyy``, ``MM-DD-YYYY``, ``yyyy.mm.dd``, ``dd mmm yyyy``)."""
    out = []
    for p in re.split(r"([/.\- ])", pattern.lower()):
        out.append({"dd": f"{day.day:02d}", "mm": f"{day.month:02d}", "mmm": day.strftime("%b"),
                    "yyyy": f"{day.year:04d}", "yy": f"{day.year % 100:02d}"}.get(p, p))
    return "".join(out)


def date_format(f: FormField) -> str | None:
    """How the control takes a date: ISO for a date input, the format its placeholder/hint/label names, else None."""
    if f.type == "date":
        return "yyyy-mm-dd"
    if f.type not in ("text", ""):
        return None
    m = DATE_FORMAT.search(f"{f.placeholder} {f.hint} {f.label}")
    return m.group(0) if m else None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


_DOB = re.compile(r"date of birth|birth ?date|\bdob\b|born on", re.I)
_START = re.compile(r"earliest (possible )?(start|joining)( date)?|when (can|could|would) you (start|join)|"
                    r"available (from|to (start|join))|availability date|date available|(start|joining) date|"
                    r"date of joining|date (you )?(can|could) (start|join)", re.I)


def _date_of_birth(q: _Q) -> Result | None:
    """A date of birth from ``identity.date_of_birth``; without one the demographic rule leaves it blank."""
    if not _DOB.search(q.label or q.low):
        return None
    raw = q.ident.get("date_of_birth") or q.ident.get("dob")
    if not raw:
        return None
    day = _as_date(raw)
    if day is None:
        return _none(f"identity.date_of_birth {raw!r} is not a date")
    fmt = date_format(q.f) or ("yyyy-mm-dd" if q.f.type in ("text", "") else None)
    if fmt is None:
        return None
    return DateValue(render_date(day, fmt), day), "identity.date_of_birth", CERTAIN, ""


def _start_date(q: _Q) -> Result | None:
    """"Earliest start date" in a date control: today plus the notice period, labelled so; a text box that
    names no date format is answered by the notice period itself ("30 days")."""
    if not _START.search(q.label):
        return None
    fmt = date_format(q.f)
    if fmt is None:
        return None
    days = q.work.get("notice_period_days")
    if days is None:
        return _none("a start date is asked; the profile has no work.notice_period_days")
    day = dt.date.today() + dt.timedelta(days=int(days))
    return DateValue(render_date(day, fmt), day), f"work.notice_period_days (today + {int(days)} days)", 0.9, ""


def _files(q: _Q) -> Result | None:
    if q.f.type != "file":
        return None
    if re.search(r"cover", q.low):
        return _fact(str(q.docs.cover_letter) if q.docs.cover_letter else None, q.docs.cover_source)
    if re.search(r"resume|résumé|\bcv\b|curriculum", q.low) or q.f.role == "resume":
        return _fact(str(q.docs.resume) if q.docs.resume else None, q.docs.resume_source)
    return _none("no document for this upload")


def _cover_letter_text(q: _Q) -> Result | None:
    if re.search(r"cover letter", q.low) and q.f.type in ("textarea", "text"):
        return _fact(q.docs.cover_letter_text, q.docs.cover_source)
    return None


def _identity(q: _Q) -> Result | None:
    f, low, label, ident = q.f, q.low, q.label, q.ident
    if re.search(r"first.?name|given.?name|forename", low) and "preferred" not in label:
        return _fact(ident.get("first_name"), "identity.first_name")
    if re.search(r"preferred.?(first.?)?name", low):
        return _fact(ident.get("preferred_name") or ident.get("first_name"),
                     "identity.preferred_name" if ident.get("preferred_name") else "identity.first_name",
                     CERTAIN if ident.get("preferred_name") else 0.9)
    if re.search(r"last.?name|family.?name|surname", low):
        return _fact(ident.get("last_name"), "identity.last_name")
    if f.role == "full_name" or re.search(r"^(full |legal |your )?name\b|full.?name|\bname$", label) \
            or (not label and f.name in ("name", "full_name", "_systemfield_name")):
        full = " ".join(p for p in (ident.get("first_name"), ident.get("last_name")) if p)
        return _fact(full, "identity.first_name+last_name")
    if re.search(r"e-?mail", low) and f.type != "checkbox":
        return _fact(ident.get("email"), "identity.email")
    if re.search(r"phone|mobile|cell|telephone|contact number", low) and f.type != "checkbox" and not _dial_field(f):
        if q.facts.split_phone and q.facts.phone is not None and f.type not in CHOICES:
            return q.facts.phone[1], "identity.phone (national number; the code is chosen beside it)", CERTAIN, ""
        return _fact(ident.get("phone"), "identity.phone")
    return None


def _links(q: _Q) -> Result | None:
    for key in ("linkedin", "github", "twitter", "gitlab", "stackoverflow", "dribbble", "behance"):
        if key in q.low.replace(" ", ""):
            return _fact(q.links.get(key), f"links.{key}")
    if re.search(r"portfolio|website|personal (site|url|page)|blog|other link", q.low):
        key = "portfolio" if q.links.get("portfolio") else "website"
        return _fact(q.links.get(key), f"links.{key}")
    return None


def _demographics(q: _Q) -> Result | None:
    """Demographic and EEO: only what the candidate set, else the form's decline option, else blank."""
    for key, pattern in _EEO.items():
        if pattern.search(q.label or q.low):
            eeo = q.facts.eeo or {}
            chosen = next((v for k, v in eeo.items() if k.lower().startswith(key[:5])), None)
            if chosen:
                return chosen, f"eeo.{key}", CERTAIN, ""
            if q.f.type in CHOICES:
                dec = decline_option(q.f.options)
                if dec:
                    return dec, "policy:decline", CERTAIN, ""
            return _none("demographic question left blank (candidate did not set it)")
    return None


def _dial_code(q: _Q) -> Result | None:
    """A phone country-code control: from the candidate's number."""
    if not _dial_field(q.f):
        return None
    phone = q.facts.phone
    if phone is None:
        return _none("profile has no phone number to take the country code from")
    hits = [o for o in q.f.options if re.search(re.escape(phone[0]) + r"(?!\d)", o)]
    if not hits and phone[2]:
        hits = [o for o in q.f.options if _n(o).startswith(_n(phone[2]))]
    return (hits[0], "identity.phone", 0.95, "") if hits else _none(f"no option is the calling code {phone[0]}")


def _salary(q: _Q) -> Result | None:
    """Money: optional unless the candidate set it; converted only where the question names its unit."""
    if re.search(r"salary|ctc|compensation|pay expectation|remuneration|\bpay\b|package", q.low):
        return _money(q.f, q.facts, f"{q.f.label} {q.f.hint} {q.f.placeholder}")
    return None


def _sponsorship(q: _Q) -> Result | None:
    if not re.search(r"sponsor", q.low) or re.search(
            r"without (the need (for|of) |needing |requiring |any )?(a |visa |work )*sponsor", q.low):
        return None
    named = country_in(q.f.label)
    listed = not isinstance(q.work.get("authorized_to_work"), bool)
    if named and listed and q.facts.authorized(named) is not None:
        return (not q.facts.authorized(named)), "work.authorized_to_work", 0.95, ""
    if isinstance(q.work.get("needs_sponsorship"), bool):
        return q.work["needs_sponsorship"], "work.needs_sponsorship", CERTAIN, ""
    return _none("the question names no country and the profile has no work.needs_sponsorship" if not named
                 else f"work.authorized_to_work does not say whether {named} needs a sponsor")


def _authorization(q: _Q) -> Result | None:
    if not re.search(r"authori[sz]ed to work|eligible to work|legally (able|allowed|permitted|entitled)|right to work|"
                     r"work permit|work authori[sz]ation|permit to work|work visa|allowed to work", q.low):
        return None
    named = country_in(q.f.label)
    ok = q.facts.authorized(named)
    if ok is None:
        return _none(f"work.authorized_to_work does not say whether the candidate may work in {named}" if named
                     else "the question names no country; work.authorized_to_work is per country")
    return ok, "work.authorized_to_work", CERTAIN, ""


def _residence(q: _Q) -> Result | None:
    """"Do you reside in / are you located in X?" from the location."""
    label, facts = q.label, q.facts
    if not (re.search(r"(reside|resident|residing|living|live|located|based)\b.*\bin\b|\bin\b.*\b(currently|presently)\b",
                      label) and _QUESTION.search(label)
            and (country_in(q.f.label) or (facts.city and facts.city.lower() in label))):
        return None
    named = country_in(q.f.label)
    if named:
        if facts.country is None:
            return _none("profile has no country in identity.location")
        return facts.country == named, facts.country_source, 0.95, ""
    return True, "identity.location", 0.95, ""


def _country(q: _Q) -> Result | None:
    if re.search(r"country( ?/ ?region)?( of (residence|residency))?$|^country|country (of|where) (you )?(live|reside|residence)|"
                 r"which country", q.label) and not re.search(r"citizen|nationalit|passport|birth", q.label):
        return _fact(q.facts.country, q.facts.country_source, 0.95)
    return None


def _city(q: _Q) -> Result | None:
    if re.search(r"\bcity\b|\btown\b", q.label) and not re.search(r"relocat|prefer", q.label):
        return _fact(q.facts.city, "identity.location", 0.95)
    return None


def _notice_period(q: _Q) -> Result | None:
    f = q.f
    if re.search(r"immediate(ly)? (joiner|joining|available)|join(ing)? immediately|immediately available|"
                 r"available to join immediately", q.low) and not re.search(r"serving", q.low):
        days = q.work.get("notice_period_days")
        if days is None:
            return _none("profile has no work.notice_period_days")
        return int(days) == 0, "work.notice_period_days", CERTAIN, ""
    if not re.search(r"notice period|how soon|earliest (start|joining)|available to (start|join)|start date|joining time|"
                     r"when (can|could|would) you (start|join)", q.low):
        return None
    days = q.work.get("notice_period_days")
    if days is None:
        return _none("profile has no work.notice_period_days")
    if f.type in CHOICES:
        scored = sorted((abs((_days(o) if _days(o) is not None else 1e9) - days), o) for o in f.options)
        if scored and scored[0][0] < 1e8:
            return scored[0][1], "work.notice_period_days", CERTAIN if scored[0][0] == 0 else 0.8, ""
        return _none(f"no option matches a {days}-day notice period")
    if f.type == "date":
        return _none("a date is asked; the profile has a notice period in days (not a date)")
    unit = f"{f.label} {f.hint}".lower()
    if f.type == "number" or re.search(r"\bdays?\b", unit):
        for word, size in (("months", 30), ("weeks", 7)):
            if re.search(rf"\b{word[:-1]}s?\b", unit):
                return (_fmt_number(days / size), "work.notice_period_days", CERTAIN, "") if days % size == 0 else \
                    _none(f"a {days}-day notice period is not a whole number of {word}")
        return str(days), "work.notice_period_days", CERTAIN, ""
    return ("Immediately" if days == 0 else f"{days} days"), "work.notice_period_days", CERTAIN, ""


def _relocation(q: _Q) -> Result | None:
    if not re.search(r"relocat", q.low):
        return None
    targets = [str(t) for t in q.work.get("relocate_to") or []]
    if not targets:
        return _none("profile has no work.relocate_to")
    m = re.search(r"relocat\w*\s+(?:to|in)\s+(?:the\s+)?([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)*)", q.f.label)
    if m:
        place = m.group(1).strip()
        if any(_n(t) == _n(place) or (country_in(place) and country_in(t) == country_in(place)) for t in targets):
            return True, "work.relocate_to", CERTAIN, ""
        return False, "work.relocate_to", 0.8, f"{place} is not in work.relocate_to"
    if any(t.lower() in q.low for t in targets):
        return True, "work.relocate_to", CERTAIN, ""
    return True, "work.relocate_to", 0.8, ""


def _former_employer(q: _Q) -> Result | None:
    """"Have you worked for X before?": from the resume's employers."""
    m = re.search(r"(?:worked|been employed|employed|been an? (?:employee|contractor))\s+(?:for|at|by|with)\s+(.+?)"
                  r"(?:\s+(?:before|previously|in the past|earlier))?\s*\??$", q.f.label, re.I)
    if not m and not re.search(r"former employee|previously employed", q.low):
        return None
    who = (m.group(1) if m else "").strip(" ?.")
    from core.candidates import skills as vocab

    if who and re.search(r"\b(worked|work) with\b", q.label, re.I) and vocab.extract(who):
        return None  # "Have you worked with Airflow?": a tool, not an employer (the skills rule answers it)
    if not who or not q.facts.employers:
        return _none("cannot tell which employer the question names" if not who else "profile lists no employers")
    known = any(_n(who) in _n(e) or _n(e) in _n(who) for e in q.facts.employers)
    return known, "experience[].employer", 0.9 if known else 0.85, ""


def _school(q: _Q) -> Result | None:
    """"School" / "University" / "Name of your college": the first education entry's institution."""
    if not re.search(r"^(school|university|college|institut(e|ion))( ?/ ?(university|college|institut(e|ion)))?( name)?$|"
                     r"^name of (the |your )?(school|college|university|institut(e|ion))|school or university", q.label):
        return None
    schools = [e.get("institution") for e in q.facts.p.get("education") or [] if isinstance(e, dict) and e.get("institution")]
    return (schools[0], "education[0].institution", 0.9, "") if schools else _none("profile has no education institution")


#: Levels of study, highest first: what a degree's name says, and what an option naming that level says.
_LEVELS: tuple[tuple[str, str, str], ...] = (
    ("doctorate", r"ph\.?\s?d|doctor(ate)?|d\.?phil", r"ph\.?\s?d|doctor"),
    ("postgraduate", r"^m\.?\s?(tech|e\b|sc|com|a\b|s\b|phil)|mba|mca|pgd|master|post.?grad|\bpg\b",
     r"post.?grad|master|\bpg\b"),
    ("graduate", r"^b\.?\s?(tech|e\b|sc|com|a\b|s\b|arch|pharm)|bba|bca|bachelor|under.?grad|\bug\b",
     r"^(under.?)?grad(uate|uation)?$|bachelor|\bug\b|^degree$"),
    ("diploma", r"diploma|polytechnic", r"diploma"),
    ("12th", r"12th|xii|hsc|intermediate|higher secondary|puc|pre.?university", r"12th|xii|hsc|higher secondary|intermediate"),
    ("10th", r"10th|\bx\b|ssc|sslc|matric|secondary school", r"10th|\bx\b|ssc|matric"),
)


def _qualification(q: _Q) -> Result | None:
    if not re.search(r"qualification|highest (degree|education)|education level|degree", q.low):
        return None
    degrees = [e.get("degree") for e in q.facts.p.get("education") or [] if isinstance(e, dict) and e.get("degree")]
    if not degrees:
        return _none("profile has no education degree")
    f = q.f
    if f.type in CHOICES and f.options and best_option(degrees[0], f.options) is None:
        # options that name levels ("Graduate", "Post Graduate"): the highest level the profile's degrees reach
        ranks = [i for d in degrees for i, (_, says, _) in enumerate(_LEVELS) if re.search(says, str(d).strip(), re.I)]
        if not ranks:
            return _none(f"cannot tell the level of {degrees[0]!r}")
        level, _, option_says = _LEVELS[min(ranks)]
        fits = [o for o in f.options if re.search(option_says, o.strip(), re.I)]
        if len(fits) == 1:
            return fits[0], f"education[].degree (the highest: {level})", 0.9, ""
        return _none(f"no single option is the {level} level of {degrees[0]!r}")
    return degrees[0], "education[0].degree", 0.9, ""


def _experience_months_field(f: FormField) -> bool:
    """"Total Experience (Months)" / "Experience - Months": the months beside a years control."""
    low = f"{f.label} {f.name}".lower()
    return bool(re.search(r"experience|\bexp\b", low) and re.search(r"\bmonths?\b|\bmm\b", low)
                and not re.search(r"\byears?\b|\byrs\b", f.label.lower()))


_TOTAL_WORDS = re.compile(r"\b(how|many|much|years?|yrs|months?|of|in|do|you|have|total|overall|professional|relevant|"
                          r"work|working|industry|full.?time|experience|exp|your|what|is|the|number)\b|[^a-z]+")


def _whole_years_and_months(years: float) -> tuple[int, int, bool]:
    """(whole years, months past them, exact): 9.4 years is (9, 5, False); 5 years is (5, 0, True)."""
    months = round(float(years) * 12)
    return months // 12, months % 12, float(years) * 12 == months


def _years(q: _Q) -> Result | None:
    if _experience_months_field(q.f):
        if _TOTAL_WORDS.sub(" ", q.label).strip():
            return _none("no months of experience recorded for this")
        years = q.work.get("years_experience")
        if not isinstance(years, (int, float)):
            return _none("profile has no work.years_experience")
        _, months, exact = _whole_years_and_months(years)
        # 9.4 years is itself rounded from whole months: the months may be one off, and the sheet says so
        return str(months), "work.years_experience (months past the whole years)", 0.9 if exact else 0.75, ""
    if not (re.search(r"experience", q.low)
            and (re.search(r"years|\byrs\b", q.low) or re.search(r"^(total|overall) experience", q.label))):
        return None
    skill = _skill_in(q.text, q.facts.skills_years)
    if skill is not None:
        return q.facts.skills_years[skill], f"skills_years.{skill}", 0.95, ""
    rest = _TOTAL_WORDS.sub(" ", q.label).strip()
    if not rest:
        years = q.work.get("years_experience")
        if q.facts.split_experience and isinstance(years, (int, float)):
            # the months go in their own control: the whole years here ("9" of 9 years 5 months)
            whole, _, _ = _whole_years_and_months(years)
            return str(whole), "work.years_experience (whole years; the months beside it)", 0.9, ""
        return _fact(years, "work.years_experience", 0.9)
    return _none("no years of experience recorded for this skill")


_SKILLS_ASKED = re.compile(
    r"(which|what) (of (these|the following) )?(skills|tools|technologies|languages|frameworks|platforms)|"
    r"(which|what) (of (these|the following) )?(have|do) you (used|use|worked|know)|"
    r"(skills|tools|technologies|languages|frameworks) (you|that you) (have )?(used|know|worked)|"
    r"(proficient|experienced|hands.?on experience) (in|with)\b(?! \w+\?$)", re.I)


_SKILL_YES_NO = re.compile(
    r"^(do you have|have you got) (any )?(hands.?on |working |professional |prior )?experience (with|in|using|of) "
    r"(?P<what>[^?]{1,60})\??$|^have you (ever )?(worked with|used|worked on) (?P<what2>[^?]{1,60})\??$|"
    r"^are you (proficient|experienced|skilled) (in|with) (?P<what3>[^?]{1,60})\??$", re.I)


def _skills_used(q: _Q) -> Result | None:
    """"Which of these have you used?" as tick boxes: the options that are the candidate's own skills (their
    resume's or profile's, made canonical); the others stay unticked. Never more than the profile says."""
    f = q.f
    from core.candidates import skills as vocab

    mine = {_n(vocab.normalise(str(s)) or str(s)) for s in [*(q.facts.p.get("skills") or []), *q.facts.skills_years]}
    asked = _SKILL_YES_NO.search(q.label)
    if asked and (f.type == "checkbox" or (f.type in CHOICES and _yes_no(f))):
        # "Do you have experience with Kafka?": yes when every skill it names is the candidate's; a skill the
        # resume does not name is no proof of a no, so that goes to a person
        what = asked.group("what") or asked.group("what2") or asked.group("what3")
        named = [x.strip(" .") for x in re.split(r",\s*|\s+and\s+|\s*/\s*", what) if x.strip(" .")]
        if named and all(_n(vocab.normalise(x) or x) in mine for x in named):
            return True, "skills (the candidate's own)", 0.9, ""
        return _none("the profile does not name this skill (a no is not assumed)")
    if f.type != "checkboxes" or not f.options or not _SKILLS_ASKED.search(q.label):
        return None
    picked = [o for o in f.options if _n(vocab.normalise(o) or o) in mine]
    if not picked:
        return _none("none of the options is among the candidate's skills")
    # a skill on the resume says the candidate has it, not always how they used it ("in production"): an
    # answer a person may want to see before it is sent (the "when uncertain" policy asks them)
    return picked, "skills (the options among the candidate's own)", 0.75, ""


def _employer_and_title(q: _Q) -> Result | None:
    if re.search(r"current (company|employer)|^(company|employer|organi[sz]ation)$|current organi[sz]ation|\borg\b|"
                 r"present employer", q.low) and not _QUESTION.search(q.label) \
            and not re.search(r"agreement|non.?compete|bond|contract|restrict|notice", q.label):
        return _fact(q.work.get("current_company"), "work.current_company")
    if re.search(r"current (job )?(title|role|position|designation)|^title$|job title|^designation$", q.low):
        return _fact(q.work.get("current_title"), "work.current_title")
    return None


def _preferred_location(q: _Q) -> Result | None:
    """"Preferred location": where the candidate wants to work (preferences.locations), never where they live."""
    if not re.search(r"prefer\w* (work |job )?(location|city|cities|place)|location preference|"
                     r"where would you (like|prefer) to work", q.low):
        return None
    wanted = [str(x) for x in q.facts.prefs.get("locations") or [] if str(x).strip()]
    if not wanted:
        return _none("profile has no preferences.locations")
    f = q.f
    if f.type == "checkboxes":
        picked = [o for o in f.options if any(_n(w) == _n(o) or _n(w) in _n(o) for w in wanted)]
        return (picked, "preferences.locations", CERTAIN, "") if picked else _none("no option is a preferred location")
    if f.type in CHOICES:
        for w in wanted:  # the candidate's own order: the first they name that the form offers
            pick = best_option(w, f.options)
            if pick is not None:
                return pick, "preferences.locations", CERTAIN, ""
        return _none("no option is a preferred location")
    return ", ".join(wanted), "preferences.locations", CERTAIN, ""


def _remote_and_location(q: _Q) -> Result | None:
    if re.search(r"\bremote\b", q.low):
        return _fact(q.facts.prefs.get("remote"), "preferences.remote", 0.9)
    if re.search(r"\b(location|city|where are you (based|located)|current address|address|based in)\b", q.low):
        return _fact(q.ident.get("location"), "identity.location", 0.95)
    return None


#: The rules, in order: the first that recognises the question answers it (or says why it cannot).
RULES: tuple[Callable[[_Q], Result | None], ...] = (
    _files, _cover_letter_text, _identity, _links, _date_of_birth, _demographics, _dial_code, _salary, _sponsorship,
    _authorization, _residence, _country, _city, _start_date, _notice_period, _relocation, _former_employer, _school, _qualification, _years,
    _skills_used, _employer_and_title, _preferred_location, _remote_and_location,
)


def _rule(f: FormField, facts: _Facts, docs: Documents) -> Result:
    """(value, source, confidence, note) from the profile for one field, or value None with a note."""
    q = _Q(f, facts, docs)
    for step in RULES:
        got = step(q)
        if got is not None:
            return got
    return _none("no fact in the profile answers this question")


CHOICES = ("select", "radio", "combobox", "checkboxes")

_FOREIGN = re.compile(r"\b(usd|eur|gbp|sek|nok|dkk|chf|aud|cad|sgd|aed|jpy|pln|zar)\b|[$€£¥]|dollars?|euros?|pounds?|"
                      r"\b(kr|kronor)\b", re.I)
_INDIAN = re.compile(r"\b(inr|lpa|lakhs?|lacs?|ctc|rupees?|rs\.?)(?![a-z])|₹", re.I)
_LAKHS = re.compile(r"\b(lpa|lakhs?|lacs?|l\.p\.a\.?)(?![a-z])", re.I)
_MONTHLY = re.compile(r"per month|monthly|/ ?month|\bp\.? ?m\.?(?![a-z])|a month|per mensem", re.I)
_ANNUAL = re.compile(r"per (annum|year)|annual|yearly|\bp\.? ?a\.?(?![a-z])|a year|\bgross\b", re.I)


def _ctc_key(text: str) -> str:
    return "current_ctc_lpa" if re.search(r"current|present|existing|last drawn|fixed ctc", text, re.I) else "expected_ctc_lpa"


def _ctc_thousands_field(f: FormField) -> bool:
    """"Current CTC (Thousands)": the thousands beside a lakhs control (Naukri's way of asking a CTC)."""
    low = f"{f.label} {f.hint}".lower()
    return bool(re.search(r"ctc|salary|package|compensation", low) and re.search(r"thousands?", low)
                and not _LAKHS.search(low))


def _money(f: FormField, facts: _Facts, text: str) -> tuple[Any, str | None, float, str]:
    """A salary in the unit the question asks for, from the profile's INR lakhs per annum; else a person.

    LPA and lakhs are given as the number of lakhs, INR per year or per month as rupees; a question in
    another currency, or one that does not say its unit where it matters, is left for a person (no
    exchange rates are guessed).
    """
    key = _ctc_key(text)
    lpa = facts.work.get(key)
    if lpa is None:
        return None, None, 0.0, "salary left blank (candidate did not set it)"
    source = f"work.{key}"
    if _ctc_thousands_field(f):  # 18.5 LPA is 18 lakhs and 50 thousand
        thousands = round((float(lpa) - int(float(lpa))) * 100)
        return str(thousands), f"{source} (thousands past the whole lakhs)", CERTAIN, ""
    if key in facts.split_ctc and _LAKHS.search(text):  # the thousands go in their own control
        return str(int(float(lpa))), f"{source} (whole lakhs; the thousands beside it)", CERTAIN, ""
    foreign = _FOREIGN.search(text)
    if foreign and not re.search(r"\binr\b|₹|rupee", text, re.I):
        return None, None, 0.0, (f"asks for {foreign.group(0).strip().upper()}; the profile has INR lakhs per annum "
                                 f"(not converted)")
    if not _INDIAN.search(text):
        return None, None, 0.0, "the question does not say its currency or period; the profile has INR lakhs per annum"
    lakhs = float(lpa)
    if f.type in CHOICES:  # ranges of lakhs ("10-20 LPA"): the number picks the range
        if _LAKHS.search(text) or sum(1 for o in f.options if _LAKHS.search(o)) >= max(1, len(f.options) // 2):
            return lakhs, source, CERTAIN, ""
        return None, None, 0.0, "the options are not in lakhs; the profile has INR lakhs per annum"
    if _LAKHS.search(text):
        if _MONTHLY.search(text):
            return None, None, 0.0, "asks for lakhs per month; the profile has lakhs per annum"
        return _fmt_number(lakhs), source, CERTAIN, ""
    if _MONTHLY.search(text):
        return _fmt_number(round(lakhs * 100000 / 12)), source + " (INR per month)", CERTAIN, ""
    if _ANNUAL.search(text) or re.search(r"\binr\b|₹|rupee", text, re.I):
        return _fmt_number(round(lakhs * 100000)), source + " (INR per annum)", CERTAIN, ""
    if f.type == "number":
        return None, None, 0.0, "a number is asked without its unit (lakhs or rupees); the profile has INR lakhs per annum"
    return f"{_fmt_number(lakhs)} LPA", source, CERTAIN, ""


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _wrong_type(f: FormField, value: Any) -> str | None:
    """Why ``value`` cannot go into this control (a number box, a date picker, a yes/no question), or None."""
    if f.type == "number":
        if isinstance(value, bool) or not re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", str(value)):
            return f"expects a number; {value!r} is not one"
    elif f.type == "date":
        if not _ISO_DATE.fullmatch(str(value)):
            return f"expects a date; {value!r} is not one"
    elif f.type == "email" and "@" not in str(value):
        return f"expects an email address; {value!r} is not one"
    elif f.type == "tel" and len(re.sub(r"\D", "", str(value))) < 6:
        return f"expects a phone number; {value!r} is not one"
    elif f.type in ("select", "radio", "combobox") and _yes_no(f) and not isinstance(value, bool) \
            and not re.fullmatch(r"\s*(yes|no|true|false)\s*", str(value), re.I):
        return f"a yes/no question; {value!r} is neither"
    return None


def _shape(f: FormField, value: Any, source: str, confidence: float) -> tuple[Any, str | None, float, str]:
    """Turn a raw fact into what the control takes (an option's text, a bool, a string).

    An answer of the wrong type for the control is never filled: it stays unanswered with the reason."""
    if value is None:
        return None, None, 0.0, ""
    if (why := _wrong_type(f, value)) is not None:
        return None, None, 0.0, why
    if f.type == "checkbox":
        if isinstance(value, bool):
            return value, source, confidence, ""
        low = str(value).strip().lower()
        if _YES.search(low) or low in ("1", "on", "checked"):
            return True, source, confidence, ""
        if _NO.search(low) or low in ("0", "off"):
            return False, source, confidence, ""
        return None, None, 0.0, f"cannot tick or untick from {value!r}"
    if f.type == "checkboxes":
        wanted = value if isinstance(value, list) else [v.strip() for v in str(value).split(",")]
        picked = [best_option(v, f.options) for v in wanted]
        if any(p is None for p in picked):
            return None, None, 0.0, f"options do not include {value!r}"
        return picked, source, confidence, ""
    if f.type in ("select", "radio") or (f.type == "combobox" and f.options):
        pick = best_option(value, f.options)
        if pick is None:
            return None, None, 0.0, f"no option matches {value!r}"
        exact = _n(pick) == _n(value) or isinstance(value, bool)
        return pick, source, confidence if exact else min(confidence, 0.85), ""
    if isinstance(value, bool):
        return ("Yes" if value else "No"), source, confidence, ""
    if isinstance(value, float):
        return _fmt_number(value), source, confidence, ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value), source, confidence, ""
    return str(value), source, confidence, ""


def build_sheet(fields: list[FormField], profile: dict[str, Any], docs: Documents | None = None, *,
                edits: dict[str, Any] | None = None, min_confidence: float = 0.7,
                edit_sources: dict[str, str] | None = None) -> AnswerSheet:
    """Answer every field from the profile; apply edits (by field name or label) last.

    An edit's source is ``edit_sources[its key]`` when given (a candidate's reply: ``"candidate (whatsapp
    reply)"``), otherwise ``"operator"``.
    """
    docs = docs or Documents()
    facts = _Facts(profile)
    edits = {str(k): v for k, v in (edits or {}).items()}
    edit_by_norm = {_n(k): v for k, v in edits.items()}
    sources = {str(k): str(v) for k, v in (edit_sources or {}).items()}
    source_by_norm = {_n(k): v for k, v in sources.items()}
    sheet = AnswerSheet(min_confidence=min_confidence)
    declarations: list[Answer] = []
    facts.split_phone = any(_dial_field(f) for f in fields)
    facts.split_experience = any(_experience_months_field(f) for f in fields)
    facts.split_ctc = {_ctc_key(f"{f.label} {f.hint}") for f in fields if _ctc_thousands_field(f)}
    for f in fields:
        if f.role == "decoy":
            continue
        ans = Answer(label=f.label, name=f.name, type=f.type, required=f.required, key=f.key, field=f)
        edited = _edit_for(f, edits, edit_by_norm)
        if edited is not _MISSING:
            who = _edit_for(f, sources, source_by_norm)
            value, source, conf, note = _shape(f, edited, who if isinstance(who, str) else "operator", CERTAIN)
            if value is None and edited not in (None, ""):
                note = note or f"edited value {edited!r} does not fit this field"
            ans.value, ans.source, ans.confidence, ans.note = value, source, conf, note
            sheet.answers.append(ans)
            continue
        if f.type == "checkbox" and (f.role == "declaration" or _DECLARATION.search(f.label)):
            ans.declaration = True
            declarations.append(ans)
            sheet.answers.append(ans)
            continue
        value = None
        source = None
        conf = 0.0
        note = ""
        if f.type != "file":
            bank = _answer_bank(facts, f.label) if f.label else None
            if bank is not None:
                value, source, conf = bank
        if value is None:
            value, source, conf, note = _rule(f, facts, docs)
        if isinstance(value, DateValue):
            ans.raw = value.day
        if value is not None and source is not None:
            value, source, conf, shape_note = _shape(f, value, source, conf)
            note = shape_note or note
        ans.value, ans.source, ans.confidence, ans.note = value, source, conf, note
        _fit_phone_format(ans, profile)
        _fit_length(ans, profile)
        sheet.answers.append(ans)
    _decide_declarations(sheet, declarations)
    return sheet


_MISSING = object()


def _fit_phone_format(ans: Answer, profile: dict[str, Any]) -> None:
    """A phone question that says how to write the number ("Write the 10 digits only", "without +91", "with
    the country code"): the candidate's number written that way, before the page has to refuse it."""
    f = ans.field
    if f is None or not ans.answered or not (ans.source or "").startswith("identity.phone") or f.type in CHOICES:
        return
    from core.apply_engine.fixes import fix

    asks = f"{f.label} {f.hint} {f.placeholder}"
    got = fix(ans, asks, profile, context=asks)
    if got is not None and not (str(ans.value).startswith("+") and got.value.startswith("+")):  # has its code already
        ans.value, ans.source = got.value, f"{ans.source} ({got.how}, as the question asks)"


def _fit_length(ans: Answer, profile: dict[str, Any]) -> None:
    """An answer longer than the control's ``maxlength`` (which would cut it while typing): the same fact
    written shorter (the national number, a link without ``https://www.``), else left for a person."""
    f = ans.field
    if f is None or not f.maxlength or not ans.answered or not isinstance(ans.value, str) or len(ans.value) <= f.maxlength:
        return
    from core.apply_engine.fixes import fix

    got = fix(ans, f"at most {f.maxlength} characters", profile, context=f"{f.label} {f.hint} {f.placeholder}")
    if got is not None:
        ans.value, ans.source = got.value, f"{ans.source} ({got.how}: the field takes {f.maxlength} characters)"
        return
    ans.note = f"the answer is longer than the {f.maxlength} characters the field takes (not cut)"
    ans.value, ans.source, ans.confidence = None, None, 0.0


def _edit_for(f: FormField, edits: dict[str, Any], by_norm: dict[str, Any]) -> Any:
    for k in (f.name, f.label):
        if k and k in edits:
            return edits[k]
    for k in (f.label, f.name):
        if k and _n(k) in by_norm:
            return by_norm[_n(k)]
    return _MISSING


def _decide_declarations(sheet: AnswerSheet, declarations: list[Answer]) -> None:
    """Tick declarations only when every other answer is sourced and nothing required is missing."""
    others = [a for a in sheet.answers if a not in declarations]
    every_sourced = all(a.source is not None for a in others if a.value not in (None, "", []))
    complete = not [a for a in others if a.required and (not a.answered or a.confidence < sheet.min_confidence)]
    for d in declarations:
        if d.source == "operator":
            continue
        if every_sourced and complete:
            d.value, d.source, d.confidence = True, "declaration: every answer sourced", CERTAIN
        else:
            d.value, d.source, d.confidence = None, None, 0.0
            d.note = "left unticked: not every answer is sourced"
