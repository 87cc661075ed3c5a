"""Job-description parsing: sections, required and nice-to-have skills, years, salary (LPA, crore, foreign),
employment type, sponsorship, workplace.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from core.candidates import skills as vocab
from core.jobs.sources import is_work_model_only, workplace_from_text

PARSER_VERSION = "rules/1"


# ------------------------------------------------------------------------------------------------
# Skills the shared vocabulary (core.candidates.skills) does not know yet, common in Indian tech postings.
# Kept here so core.candidates.skills stays owned by one area; scoring lower-cases unknown names on both sides, so
# "Databricks" in a posting meets "databricks" in a resume. Candidates for core.candidates.skills.VOCABULARY.
# ------------------------------------------------------------------------------------------------
EXTRA_SKILLS: dict[str, tuple[str, ...]] = {
    "Databricks": (), "Flink": ("apache flink",), "Hive": ("apache hive",), "Presto": ("trino",),
    "Looker": (), "Helm": (), "Argo CD": ("argocd",), "Datadog": (), "Splunk": (), "OpenTelemetry": (),
    "Playwright": (), "Appium": (), "JMeter": (), "Postman": (), "Webpack": (), "Svelte": (),
    "NestJS": ("nest.js",), "Kubeflow": (), "MLOps": (), "LangChain": (), "Vertex AI": (), "SageMaker": (),
    "Celery": (), "Microsoft SQL Server": ("mssql", "sql server"), "Power Apps": (), "Unity": (),
    "Jetpack Compose": (), "SwiftUI": (), "Zustand": (), "Storybook": (), "Sentry": (), "Istio": (),
}


@lru_cache(maxsize=1)
def _extra_patterns() -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for canon, aliases in EXTRA_SKILLS.items():
        terms = sorted([canon, *aliases], key=len, reverse=True)
        body = "|".join(re.escape(t) for t in terms)
        out.append((canon, re.compile(r"(?<![A-Za-z0-9+#.])(?:" + body + r")(?![A-Za-z0-9+#])", re.I)))
    return out


def extract_skills(text: str) -> list[str]:
    """Vocabulary skills (core.candidates.skills) then the extra ones, in order of first mention within each."""
    found = vocab.extract(text)
    extra = sorted((m.start(), canon) for canon, pat in _extra_patterns() if (m := pat.search(text)))
    return found + [c for _, c in extra if c not in found]


# ------------------------------------------------------------------------------------------------
# Sections
# ------------------------------------------------------------------------------------------------
_NICE = re.compile(r"nice[- ]to[- ]have|good[- ]to[- ]have|preferred|bonus|desirable|added advantage|"
                   r"\bplus\b|optional|would be great|not required|brownie points", re.I)


_REQUIRED_HEAD = re.compile(r"requirement|must[- ]have|qualification|what you(?:'|’)?ll need|you(?:'|’)?ll need|"
                            r"looking for|you have|skills|required|who you are|about you|experience|"
                            r"what you bring|you bring|mandatory|eligibility", re.I)


_OTHER_HEAD = re.compile(r"about (?:us|the company|the team)|who we are|benefits|perks|why join|what we offer|"
                         r"compensation|equal opportunity|eeo|our values|culture", re.I)


_BULLET = re.compile(r"^\s*(?:[-*•·▪◦‣–]|\d+[.)])\s+")


def _is_heading(line: str) -> bool:
    text = _BULLET.sub("", line).strip()
    if not text or len(text) > 70:
        return False
    return text.endswith(":") or (not text.endswith(".") and len(text.split()) <= 6 and not _BULLET.match(line))


def sections(text: str) -> list[tuple[str, str]]:
    """(kind, line) for each non-empty line; kind is ``required`` | ``nice`` | ``other`` | ``body``."""
    out: list[tuple[str, str]] = []
    current = "body"
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if _is_heading(line):
            if _NICE.search(line):
                current = "nice"
            elif _OTHER_HEAD.search(line):
                current = "other"
            elif _REQUIRED_HEAD.search(line):
                current = "required"
            else:
                current = "body"
            out.append(("heading", line))
            continue
        kind = "nice" if (current != "other" and _NICE.search(line)) else current
        out.append((kind, line))
    return out


def split_skills(title: str, text: str) -> tuple[list[str], list[str]]:
    """(required, nice) canonical skills. A skill named as required anywhere is required."""
    required: dict[str, None] = dict.fromkeys(extract_skills(title or ""))
    nice: dict[str, None] = {}
    mentioned: dict[str, None] = {}
    for kind, line in sections(text):
        found = extract_skills(line)
        if kind in ("required", "body", "heading"):
            required.update(dict.fromkeys(found))
        elif kind == "nice":
            nice.update(dict.fromkeys(found))
        else:
            mentioned.update(dict.fromkeys(found))
    if not required and not nice:
        required.update(mentioned)
    return list(required), [s for s in nice if s not in required]


# ------------------------------------------------------------------------------------------------
# Years of experience
# ------------------------------------------------------------------------------------------------
_YEARS_RANGE = re.compile(r"(\d{1,2}(?:\.\d)?)\s*\+?\s*(?:-|–|—|to)\s*(\d{1,2}(?:\.\d)?)\s*\+?\s*(?:years?|yrs?)\b", re.I)
_YEARS_MIN = re.compile(r"(?:(?:minimum|min\.?|at least)\s+(?:of\s+)?)?(\d{1,2}(?:\.\d)?)\s*(\+|plus)?\s*(?:years?|yrs?)\b",
                        re.I)


def years(text: str) -> tuple[float | None, float | None]:
    """(min, max) years of experience asked for; the largest requirement outside nice-to-have lines."""
    best: tuple[float | None, float | None] = (None, None)
    for kind, line in sections(text):
        if kind in ("nice", "other"):
            continue
        if not re.search(r"experience|exp\b|years? (?:of|in|with)|yrs", line, re.I):
            continue
        found: list[tuple[float, float | None]] = []
        spans: list[tuple[int, int]] = []
        for m in _YEARS_RANGE.finditer(line):
            low, high = float(m.group(1)), float(m.group(2))
            if low <= high <= 40:
                found.append((low, high))
                spans.append(m.span())
        for m in _YEARS_MIN.finditer(line):
            if any(a <= m.start() < b for a, b in spans):
                continue
            value = float(m.group(1))
            if 0 < value <= 40:
                found.append((value, None))
        for lo, hi in found:
            if best[0] is None or lo > best[0]:
                best = (lo, hi)
    return best


# ------------------------------------------------------------------------------------------------
# Salary
# ------------------------------------------------------------------------------------------------
_NUM = r"(\d+(?:\.\d+)?)"
_LPA_RANGE = re.compile(r"(?:₹|rs\.?|inr)?\s*" + _NUM + r"\s*(?:lpa|l)?\s*(?:-|–|—|to)\s*(?:₹|rs\.?|inr)?\s*" + _NUM +
                        r"\s*(?:lpa|lakhs?|lacs?|l\b)(?:\s*(?:per annum|p\.?\s?a\.?|per year|/\s?year|ctc))?", re.I)


_LPA_ONE = re.compile(r"(?:₹|rs\.?|inr)?\s*" + _NUM + r"\s*(?:lpa|lakhs?|lacs?)(?:\s*(?:per annum|p\.?\s?a\.?|per year))?",
                      re.I)


_CRORE = re.compile(r"(?:₹|rs\.?|inr)?\s*" + _NUM + r"\s*(?:-|–|to)?\s*" + r"(\d+(?:\.\d+)?)?\s*(?:crores?|cr)\b", re.I)
_INR_AMOUNT = re.compile(r"(?:₹|rs\.?\s?|inr\s?)\s*([\d,]{4,}(?:\.\d+)?)(?:\s*(?:-|–|—|to)\s*(?:₹|rs\.?\s?|inr\s?)?\s*([\d,]{4,}(?:\.\d+)?))?"
                         r"(\s*(?:per month|/\s?month|p\.?m\.?|monthly))?", re.I)


_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
_CODES = "USD|EUR|GBP|CAD|AUD|SGD|AED|CHF|JPY"
_FOREIGN = re.compile(
    r"(?:([$€£])|\b(" + _CODES + r")\s*\$?)\s*(\d[\d,]*(?:\.\d+)?)\s*([kKmM])?"
    r"(?:\s*(?:-|–|—|to)\s*(?:[$€£]|(?:" + _CODES + r")\s*)?\s*(\d[\d,]*(?:\.\d+)?)\s*([kKmM])?)?"
    r"(?:\s*(" + _CODES + r")\b)?"
    r"(\s*(?:per hour|/\s?h(?:ou)?r|hourly|an hour|per month|/\s?month|monthly))?", re.I)


def _amount(num: str, suffix: str | None = None) -> float:
    value = float(num.replace(",", ""))
    if suffix and suffix.lower() == "k":
        value *= 1_000
    elif suffix and suffix.lower() == "m":
        value *= 1_000_000
    return value


def _inr(lo: float | None, hi: float | None, text: str, period: str = "year") -> dict[str, Any]:
    return {"currency": "INR", "min": lo, "max": hi if hi is not None else lo, "period": period,
            "min_lpa": round(lo / 100_000, 2) if lo is not None else None,
            "max_lpa": round(top / 100_000, 2) if (top := hi if hi is not None else lo) is not None else None,
            "text": text.strip()}


_UP_TO = re.compile(r"(?:up\s?to|max(?:imum)?\.?|not more than|not exceeding|till|below|under)\s*[:\-]?\s*$", re.I)
_FROM = re.compile(r"(?:min(?:imum)?\.?|from|starting(?: (?:at|from))?|at least|above|over|more than)\s*[:\-]?\s*$", re.I)
_ONWARDS = re.compile(r"^\s*(?:\+|onwards|and above|or more|plus\b)", re.I)


def _bounded(pay: dict[str, Any], text: str, start: int, end: int) -> dict[str, Any]:
    """One amount said as a bound: "up to 25 LPA" is a most (no least), "from 10 LPA" / "10 LPA onwards" a
    least (no most); an amount said plainly is both."""
    before, after = text[max(0, start - 24):start], text[end:end + 16]
    gone = "min" if _UP_TO.search(before) else ("max" if _FROM.search(before) or _ONWARDS.search(after) else None)
    if gone is not None:
        pay[gone] = None
        if f"{gone}_lpa" in pay:
            pay[f"{gone}_lpa"] = None
    return pay


def salary(text: str) -> dict[str, Any] | None:
    """The pay a posting states: INR (LPA, lakhs, crores, ₹ amounts with Indian grouping) or another currency.

    INR results carry ``min_lpa``/``max_lpa`` (lakhs per annum); monthly amounts are made yearly. One amount
    said as a bound ("up to 25 LPA", "from 10 LPA", "10 LPA onwards") leaves the other end unknown (None).
    """
    m = _LPA_RANGE.search(text)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        if lo <= hi:
            return _inr(lo * 100_000, hi * 100_000, m.group(0))
    m = _LPA_ONE.search(text)
    if m:
        v = float(m.group(1)) * 100_000
        return _bounded(_inr(v, v, m.group(0)), text, m.start(1), m.end())
    m = _CRORE.search(text)
    if m and re.search(r"crores?|cr\b", m.group(0), re.I):
        lo = float(m.group(1)) * 10_000_000
        hi = float(m.group(2)) * 10_000_000 if m.group(2) else lo
        pay = _inr(lo, hi, m.group(0))
        return pay if m.group(2) else _bounded(pay, text, m.start(1), m.end())
    m = _INR_AMOUNT.search(text)
    if m:
        lo = _amount(m.group(1))
        hi = _amount(m.group(2)) if m.group(2) else lo
        if m.group(3):
            lo, hi = lo * 12, hi * 12
        pay = _inr(lo, hi, m.group(0))
        return pay if m.group(2) else _bounded(pay, text, m.start(), m.end())
    for m in _FOREIGN.finditer(text):
        currency = _SYMBOLS.get(m.group(1) or "") or (m.group(2) or m.group(7) or "").upper()
        if not currency:
            continue
        hi_suffix = m.group(6) or m.group(4)
        lo = _amount(m.group(3), m.group(4) or (m.group(6) if m.group(5) else None))
        hi = _amount(m.group(5), hi_suffix) if m.group(5) else lo
        if lo < 100 and not m.group(8):  # "$5" is not a salary; hourly rates say so
            continue
        tail = (m.group(8) or "").lower()
        period = "hour" if "h" in tail and "month" not in tail else ("month" if "month" in tail else "year")
        return {"currency": currency, "min": lo, "max": hi, "period": period, "text": m.group(0).strip()}
    return None


def normalise_salary(value: Any) -> dict[str, Any] | None:
    """A source's structured salary (Lever salaryRange, Ashby tiers) in the same shape as :func:`salary`."""
    if not isinstance(value, dict) or (value.get("min") is None and value.get("max") is None):
        return None
    out = {k: value.get(k) for k in ("currency", "min", "max", "period", "text")}
    out["period"] = out["period"] or "year"
    if out.get("currency") == "INR":
        factor = 12 if out["period"] == "month" else 1
        for k in ("min", "max"):
            amount = out.get(k)
            if amount is not None:
                out[f"{k}_lpa"] = round(float(amount) * factor / 100_000, 2)
    return out


# ------------------------------------------------------------------------------------------------
# Everything else
# ------------------------------------------------------------------------------------------------
_EMPLOYMENT = [
    ("internship", re.compile(r"\bintern(ship)?\b", re.I)),
    ("contract", re.compile(r"\bcontract(ual|or)?\b|\bfreelance\b|\bc2h\b|contract[- ]to[- ]hire", re.I)),
    ("part_time", re.compile(r"\bpart[- ]time\b", re.I)),
    ("temporary", re.compile(r"\btemporary\b|\btemp\b", re.I)),
    ("full_time", re.compile(r"\bfull[- ]time\b|\bpermanent\b|\bfte\b", re.I)),
]


_SOURCE_EMPLOYMENT = {"fulltime": "full_time", "full-time": "full_time", "full time": "full_time",
                      "parttime": "part_time", "part-time": "part_time", "part time": "part_time",
                      "intern": "internship", "internship": "internship", "contract": "contract",
                      "contractor": "contract", "temporary": "temporary"}


_NO_SPONSOR = re.compile(r"(?:no|not|unable to|cannot|can(?:'|’)?t|do not|don(?:'|’)?t|does not|will not|won(?:'|’)?t)"
                         r"\s+(?:be\s+)?(?:able to\s+)?(?:provide\s+|offer\s+|support\s+)?(?:any\s+)?(?:visa\s+|work permit\s+)?"
                         r"sponsor", re.I)


_SPONSOR = re.compile(r"(?:visa|relocation and visa)\s+sponsorship\s+(?:is\s+)?(?:available|provided|offered)|"
                      r"(?:we|will)\s+sponsor\b|sponsorship available", re.I)


_DESC_WORKPLACE = re.compile(r"\b(?:fully|100%)\s+remote\b|\bremote[- ](?:first|friendly|role|position|job)\b|"
                             r"\bwork from home\b|\bhybrid\b|\bon[- ]?site\b|\bwork from office\b|\bin[- ]office\b", re.I)


_LOCATION_LINE = re.compile(r"^\s*(?:job\s+)?location\s*[:\-–]\s*(.{2,80})$", re.I | re.M)


def employment_type(text: str, hint: str | None = None) -> str | None:
    if hint:
        key = str(hint).strip().lower()
        if key in _SOURCE_EMPLOYMENT:
            return _SOURCE_EMPLOYMENT[key]
        text = f"{hint}\n{text}"
    for name, pat in _EMPLOYMENT:
        if pat.search(text):
            return name
    return None


def sponsorship(text: str) -> bool | None:
    """False when the posting says it cannot sponsor a visa, True when it says it can, else None."""
    if _NO_SPONSOR.search(text):
        return False
    if _SPONSOR.search(text):
        return True
    return None


def workplace(job_workplace: str | None, location: str, text: str) -> str | None:
    if job_workplace in ("remote", "hybrid", "onsite"):
        return job_workplace
    from_location = workplace_from_text(location)
    if from_location:
        return from_location
    hits = [m.group(0).lower() for m in _DESC_WORKPLACE.finditer(text)]
    if any("hybrid" in h for h in hits):
        return "hybrid"
    if any(("remote" in h or "home" in h) for h in hits):
        return "remote"
    if hits:
        return "onsite"
    return None


def parse_jd(job: dict[str, Any]) -> dict[str, Any]:
    """Structured facts of one job row (``title``, ``description``, ``location``, ``workplace``, ``salary``, ``raw``)."""
    text = job.get("description") or ""
    title = job.get("title") or ""
    location = (job.get("location") or "").strip()
    if not location or is_work_model_only(location):
        m = _LOCATION_LINE.search(text)
        if m:
            location = m.group(1).strip().rstrip(".")
    raw = job.get("raw") or {}
    hint = raw.get("employmentType") or (raw.get("categories") or {}).get("commitment") if isinstance(raw, dict) else None
    required, nice = split_skills(title, text)
    ymin, ymax = years(text)
    pay = normalise_salary(job.get("salary")) or salary(text)
    return {
        "title": title,
        "required_skills": required,
        "nice_skills": nice,
        "years_min": ymin,
        "years_max": ymax,
        "location": location,
        "workplace": workplace(job.get("workplace"), location, f"{title}\n{text}"),
        "employment_type": employment_type(f"{title}\n{text}", hint),
        "salary": pay,
        "sponsorship": sponsorship(text),
        "description_sha256": job.get("description_sha256"),
        "parser": PARSER_VERSION,
    }
