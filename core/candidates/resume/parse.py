"""Resume text to a Profile-shaped dict, by rules: sections, date ranges, contact patterns, the skill vocabulary.

No model is needed: the layouts resumes actually use (a contact block, headed sections, one line per role
with a date range, bullets under it, tables in DOCX) are regular enough for rules, and every field comes
with a confidence so an operator knows what to check. Nothing is invented: a field that is not found is
empty, never guessed from elsewhere.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import phonenumbers

from core.candidates import skills as vocab
from core.candidates.resume.extract import _BULLETS

PARSER_VERSION = "talvix-rules/1"

# ------------------------------------------------------------------------------------------------
# Sections
# ------------------------------------------------------------------------------------------------
_HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": ("summary", "professional summary", "profile", "profile summary", "professional profile", "about",
                "about me", "objective", "career objective", "career summary", "overview", "executive summary"),
    "experience": ("experience", "work experience", "professional experience", "employment", "employment history",
                   "work history", "career history", "relevant experience", "experience summary", "internships",
                   "internship", "work"),
    "education": ("education", "academics", "academic background", "educational qualifications", "qualifications",
                  "academic qualifications", "education and training", "education & training"),
    "skills": ("skills", "technical skills", "key skills", "core skills", "core competencies", "competencies",
               "skills and tools", "skills & tools", "technologies", "tech stack", "tools", "areas of expertise",
               "expertise", "skill set", "skillset", "technical proficiency"),
    "projects": ("projects", "personal projects", "key projects", "academic projects", "side projects"),
    "certifications": ("certifications", "certificates", "courses", "licenses and certifications",
                       "licenses & certifications", "training"),
    "contact": ("contact", "contact information", "contact details", "personal details", "personal information",
                "links"),
    "other": ("awards", "achievements", "honors", "honours", "publications", "languages", "interests", "hobbies",
              "volunteering", "volunteer experience", "references", "declaration", "activities",
              "extracurricular activities", "accomplishments"),
}
_HEADING_INDEX = {h: section for section, names in _HEADINGS.items() for h in names}

_TITLE_WORDS = (
    "engineer", "developer", "manager", "lead", "architect", "analyst", "scientist", "designer", "consultant",
    "director", "intern", "head", "officer", "specialist", "administrator", "tester", "programmer", "associate",
    "executive", "founder", "co-founder", "cto", "ceo", "cfo", "vp", "president", "principal", "researcher",
    "sde", "sde-1", "sde-2", "sde-3", "sde i", "sde ii", "trainee", "coordinator", "strategist", "owner",
    "technician", "representative", "advisor", "devops", "sre", "qa", "staff", "member of technical staff",
    "product", "fellow", "apprentice", "accountant", "recruiter", "writer", "editor", "teacher", "instructor",
)
_LEGAL_WORDS = ("pvt", "private", "ltd", "limited", "inc", "llc", "llp", "corp", "corporation", "company", "co.",
                "gmbh", "plc", "ag", "s.a.")
_COMPANY_WORDS = _LEGAL_WORDS + ("technologies", "technology", "labs", "solutions", "systems", "software", "services", "group",
                  "consulting", "ventures", "studio", "studios", "bank", "networks", "infotech", "global", "tech",
                  "digital", "analytics", "industries", "gmbh", "plc", "ag", "s.a.")
_DEGREE = re.compile(
    r"\b(b\.?\s?tech|m\.?\s?tech|b\.?\s?e\b\.?|m\.?\s?e\b\.?|b\.?\s?sc|m\.?\s?sc|b\.?\s?com|m\.?\s?com|b\.?\s?a\b\.?|"
    r"m\.?\s?a\b\.?|bca|mca|bba|mba|pgdm|pgdbm|ph\.?\s?d|doctorate|bachelor(?:'s)?|master(?:'s)?|diploma|"
    r"associate degree|b\.?s\b\.?|m\.?s\b\.?|hsc|ssc|class xii|class x|12th|10th|higher secondary|secondary school|"
    r"high school|cbse|icse|post graduate|postgraduate|graduate certificate)",
    re.I,
)
_INSTITUTION = re.compile(
    r"\b(university|universit[yé]|institute|college|school|academy|iit|nit|iiit|bits|iim|vit|polytechnic|"
    r"vidyalaya|vidyapeeth|campus)\b",
    re.I,
)

_CITIES = (
    "bengaluru", "bangalore", "mumbai", "navi mumbai", "pune", "hyderabad", "chennai", "delhi", "new delhi", "noida",
    "gurgaon", "gurugram", "kolkata", "ahmedabad", "jaipur", "kochi", "cochin", "trivandrum", "thiruvananthapuram",
    "coimbatore", "indore", "chandigarh", "lucknow", "bhubaneswar", "nagpur", "mysore", "mysuru", "vadodara",
    "surat", "goa", "visakhapatnam", "vizag", "mangalore", "mangaluru", "bhopal", "patna", "ranchi", "dehradun",
    "thane", "nashik", "madurai", "vijayawada", "guwahati", "kanpur", "faridabad", "ghaziabad",
    "london", "new york", "san francisco", "seattle", "singapore", "dubai", "berlin", "amsterdam", "toronto",
    "sydney", "austin", "boston", "chicago", "los angeles", "dublin", "paris", "tokyo", "remote",
)
_COUNTRIES = ("india", "usa", "united states", "uk", "united kingdom", "singapore", "uae", "germany", "canada",
              "australia", "netherlands", "ireland", "france", "japan")

# ------------------------------------------------------------------------------------------------
# Dates
# ------------------------------------------------------------------------------------------------
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
           "nov": 11, "dec": 12}
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" \
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DATE = rf"(?:{_MONTH}\s*[',]?\s*(?:19|20)\d{{2}}|\d{{1,2}}\s*[/.-]\s*(?:19|20)\d{{2}}|(?:19|20)\d{{2}}\s*[/.-]\s*\d{{1,2}}(?!\d)|(?:19|20)\d{{2}})"
_PRESENT = r"(?:present|current(?:ly)?|now|till\s+date|to\s+date|ongoing|today|date)"
_RANGE = re.compile(
    rf"(?P<start>{_DATE})\s*(?:-|–|—|~|to|until|till|through|→)\s*(?P<end>{_DATE}|{_PRESENT})", re.I
)
_SINGLE_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def normalise_date(text: str | None) -> str | None:
    """'Mar 2019', '03/2019', '2019-03' -> '2019-03'; '2019' -> '2019'; 'Present' -> 'present'."""
    if not text:
        return None
    t = text.strip().lower().rstrip(".")
    if re.fullmatch(_PRESENT, t):
        return "present"
    m = re.fullmatch(rf"({_MONTH})\s*[',]?\s*((?:19|20)\d{{2}})", t)
    if m:
        return f"{m.group(2)}-{_MONTHS[m.group(1)[:3]]:02d}"
    m = re.fullmatch(r"(\d{1,2})\s*[/.-]\s*((?:19|20)\d{2})", t)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    m = re.fullmatch(r"((?:19|20)\d{2})\s*[/.-]\s*(\d{1,2})", t)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    m = re.fullmatch(r"(?:19|20)\d{2}", t)
    if m:
        return t
    return None


def _month_index(value: str | None, today: date, *, is_end: bool) -> int | None:
    if value is None:
        return None
    # "Jul 2016 - May 2018" includes May: a month-precise end counts through the end of that month.
    inclusive = 1 if is_end else 0
    if value == "present":
        return today.year * 12 + today.month - 1 + inclusive
    parts = value.split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return year * 12  # a bare year: from (and to) its start
    return year * 12 + int(parts[1]) - 1 + inclusive


def years_of_experience(experience: list[dict[str, Any]], today: date | None = None) -> float | None:
    """Total years across roles, overlapping periods counted once."""
    today = today or date.today()
    spans = []
    for e in experience:
        s = _month_index(e.get("start"), today, is_end=False)
        end_raw = e.get("end")
        en = _month_index(end_raw, today, is_end=True) if end_raw else None
        if s is None or en is None:
            continue
        if en == s and end_raw != "present" and "-" not in (end_raw or ""):
            en = s + 6  # "2021 - 2021": half a year is the honest middle
        if en > s:
            spans.append((s, en))
    if not spans:
        return None
    spans.sort()
    total = 0
    cur_s, cur_e = spans[0]
    for start, stop in spans[1:]:
        if start <= cur_e:
            cur_e = max(cur_e, stop)
        else:
            total += cur_e - cur_s
            cur_s, cur_e = start, stop
    total += cur_e - cur_s
    return round(total / 12, 1)


# ------------------------------------------------------------------------------------------------
# Contact details
# ------------------------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?![\w-])")
_URL = re.compile(
    r"(?:https?://[^\s|,;<>()\"']+|www\.[^\s|,;<>()\"']+|"
    r"(?<![\w@.])(?:[a-z]{2,3}\.)?(?:linkedin\.com|github\.com|gitlab\.com|behance\.net|dribbble\.com|"
    r"medium\.com|kaggle\.com|stackoverflow\.com)/[^\s|,;<>()\"']*)",
    re.I,
)


def _normalise_url(url: str) -> str:
    url = url.rstrip(".,;:)")
    if not re.match(r"https?://", url, re.I):
        url = "https://" + url
    return url


def _links(text: str, emails: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    other: list[str] = []
    for m in _URL.finditer(text):
        raw = m.group(0)
        if any(raw in e for e in emails):
            continue
        url = _normalise_url(raw)
        host = re.sub(r"^https?://(www\.)?", "", url, flags=re.I).lower()
        if host.startswith(("linkedin.com", "in.linkedin.com")) or ".linkedin.com/" in host:
            out.setdefault("linkedin", url)
        elif host.startswith("github.com"):
            out.setdefault("github", url)
        elif "portfolio" not in out and not host.startswith(("gitlab.com", "medium.com", "kaggle.com",
                                                              "stackoverflow.com")):
            out["portfolio"] = url
        elif url not in other:
            other.append(url)
    if other:
        out["other"] = other
    return out


def _phone(text: str) -> str | None:
    for match in phonenumbers.PhoneNumberMatcher(text, "IN", leniency=phonenumbers.Leniency.VALID):
        return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    # "+91-98xxxxxxxx" style numbers the matcher misses when glued to punctuation.
    for cand in re.findall(r"\+?\d[\d\s().-]{8,16}\d", text):
        try:
            num = phonenumbers.parse(cand, "IN")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(num):
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    return None


def _city_in(text: str) -> str | None:
    low = text.lower()
    for city in sorted(_CITIES, key=len, reverse=True):
        if re.search(rf"(?<![a-z]){re.escape(city)}(?![a-z])", low):
            return city
    return None


def _location(contact_lines: list[str]) -> tuple[str | None, float]:
    for line in contact_lines:
        for part in re.split(r"\s*[|•·]\s*", line):
            m = re.match(r"\s*(?:location|address|city|based in|current location)\s*[:\-]\s*(.+)", part, re.I)
            if m:
                return m.group(1).strip().rstrip("."), 0.9
    for line in contact_lines:
        for part in re.split(r"\s*[|•·]\s*|\s{2,}", line):
            part = part.strip()
            if not part or "@" in part or _URL.search(part) or sum(c.isdigit() for c in part) >= 5:
                continue
            if _city_in(part) and len(part) <= 60:
                return part.rstrip("."), 0.8
            m = re.fullmatch(r"([A-Z][A-Za-z .]+),\s*([A-Z][A-Za-z .]+)", part)
            if m and m.group(2).strip().lower() in _COUNTRIES:
                return part, 0.7
    return None, 0.0


def _looks_like_name(line: str) -> bool:
    if "@" in line or _URL.search(line) or sum(c.isdigit() for c in line) > 0:
        return False
    words = line.replace(",", " ").split()
    if not 1 <= len(words) <= 5:
        return False
    if line.strip().lower().strip(":") in _HEADING_INDEX:
        return False
    if any(w.lower().strip(".,") in _TITLE_WORDS for w in words) and len(words) > 2:
        return False
    return all(re.fullmatch(r"[A-Za-z][A-Za-z.'\-]*", w) for w in words)


def _split_name(name: str) -> tuple[str, str | None]:
    if name.isupper():
        name = " ".join(w.capitalize() for w in name.split())
    parts = name.split()
    if len(parts) == 1:
        return parts[0], None
    return " ".join(parts[:-1]), parts[-1]


# ------------------------------------------------------------------------------------------------
# Section splitting
# ------------------------------------------------------------------------------------------------
def _heading_of(line: str) -> str | None:
    key = re.sub(r"[#*_=:|\-–—]+", " ", line).strip().lower()
    key = re.sub(r"\s+", " ", key)
    if not key or len(key) > 40:
        return None
    return _HEADING_INDEX.get(key)


def split_sections(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """(lines before the first heading, section name -> its lines)."""
    head: list[str] = []
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        name = _heading_of(line)
        if name is not None:
            current = name
            sections.setdefault(current, [])
            continue
        # "Skills: Python, Go" on one line: a heading with its content.
        m = re.match(r"\s*([A-Za-z &]{3,30})\s*:\s*(.+)$", line)
        if m and _HEADING_INDEX.get(m.group(1).strip().lower()) in ("skills", "summary"):
            current = _HEADING_INDEX[m.group(1).strip().lower()]
            sections.setdefault(current, []).append(m.group(2))
            continue
        if current is None:
            head.append(line)
        else:
            sections[current].append(line)
    return head, sections


def _is_bullet(line: str) -> bool:
    s = line.lstrip()
    return s.startswith(_BULLETS) and not re.match(r"[-–]\s*(?:19|20)\d{2}", s)


def _strip_bullet(line: str) -> str:
    s = line.strip()
    while s and s[0] in "".join(_BULLETS):
        s = s[1:].lstrip()
    return s


# ------------------------------------------------------------------------------------------------
# Experience
# ------------------------------------------------------------------------------------------------
_SEP = re.compile(r"\s*\|\s*|\s+[–—-]\s+|\s*,\s+|\s+at\s+|\s+@\s+|\s{3,}|\t+")


def _has_title_word(text: str) -> bool:
    low = text.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) for w in _TITLE_WORDS)


def _has_company_word(text: str) -> bool:
    low = text.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) for w in _COMPANY_WORDS)


def _has_legal_word(text: str) -> bool:
    low = text.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) for w in _LEGAL_WORDS)


def _parse_header(header: str) -> dict[str, str | None]:
    """'Senior Engineer, Acme Corp, Bengaluru' / 'Acme Corp | Senior Engineer' -> employer, title, location.

    Labelled forms common in Indian resumes ("Company: X | Designation: Y") are read by their labels.
    """
    labelled = _labelled(header)
    if labelled is not None:
        return labelled
    at = re.search(r"^(.+?)\s+(?:at|@)\s+(.+)$", header)
    parts = [p.strip(" .()") for p in (_SEP.split(header))]
    parts = [p for p in parts if p and not re.fullmatch(r"[\W\d]*", p)]
    location = None
    rest = []
    for p in parts:
        if location is None and (_city_in(p) and len(p.split()) <= 3 and not _has_company_word(p)
                                 or p.lower() in _COUNTRIES):
            location = p
        else:
            rest.append(p)
    title = employer = None
    if at and _has_title_word(at.group(1)):
        title = at.group(1).strip()
        tail = [p for p in rest if p not in title]
        employer = tail[0] if tail else None
        return {"title": title, "employer": employer, "location": location}
    titled = [p for p in rest if _has_title_word(p) and not _has_legal_word(p)]
    titled.sort(key=_has_company_word)  # "Software Engineer" beats "Acme Software" when both look titled
    if titled:
        title = titled[0]
        others = [p for p in rest if p != title]
        employer = others[0] if others else None
    elif len(rest) >= 2:
        if _has_company_word(rest[1]) and not _has_company_word(rest[0]):
            title, employer = rest[0], rest[1]
        else:
            employer, title = rest[0], rest[1]
    elif rest:
        if _has_title_word(rest[0]):
            title = rest[0]
        else:
            employer = rest[0]
    return {"title": title, "employer": employer, "location": location}


_COLUMN_NAMES = {"company", "employer", "organisation", "organization", "role", "title", "designation", "position",
                 "dates", "date", "duration", "period", "from", "to", "location", "tenure", "years"}


def _column_names(line: str) -> bool:
    """A table's header row ("Company | Role | Dates"), not content."""
    parts = [p.strip().lower() for p in re.split(r"\s*\|\s*", line) if p.strip()]
    return len(parts) >= 2 and all(p in _COLUMN_NAMES for p in parts)


def _header_like(line: str) -> bool:
    """Short, not a sentence: could be the employer or title line above a date line."""
    return (len(line) <= 70 and len(line.split()) <= 8 and not line.rstrip().endswith((".", "%", ";"))
            and not _is_bullet(line) and not line[:1].islower())


_LABEL_EMPLOYER = r"(?:company|organi[sz]ation|employer|client|company name)"
_LABEL_TITLE = r"(?:designation|role|title|position|job title)"
_LABEL_OTHER = r"(?:duration|period|dates?|tenure|location|place)"


def _labelled(header: str) -> dict[str, str | None] | None:
    if not re.search(rf"(?i)\b(?:{_LABEL_EMPLOYER}|{_LABEL_TITLE})\s*:", header):
        return None
    out: dict[str, str | None] = {"title": None, "employer": None, "location": None}
    for piece in re.split(r"\s*\|\s*|\s{3,}", header):
        m = re.match(rf"(?i)\s*({_LABEL_EMPLOYER}|{_LABEL_TITLE}|{_LABEL_OTHER})\s*:\s*(.*)$", piece)
        if not m:
            continue
        label, value = m.group(1).lower(), m.group(2).strip(" ,.")
        if not value:
            continue
        if re.fullmatch(_LABEL_EMPLOYER, label):
            out["employer"] = value
        elif re.fullmatch(_LABEL_TITLE, label):
            out["title"] = value
        elif label in ("location", "place"):
            out["location"] = value
    return out


def parse_experience(lines: list[str]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    pending: list[str] = []  # plain lines not yet assigned: a header of the next role or text of this one
    current: dict[str, Any] | None = None
    header_open = False  # the current role's header may still continue on the next plain line

    def flush_pending_as_text() -> None:
        if current is not None:
            for p in pending:
                if current["bullets"] and not _is_bullet(p) and p[:1].islower():
                    current["bullets"][-1] += " " + p.strip()
                else:
                    current["bullets"].append(_strip_bullet(p))
        pending.clear()

    for line in lines:
        m = _RANGE.search(line)
        if m and not _is_bullet(line):
            own = (line[: m.start()] + " " + line[m.end():]).strip(" |,–—-()[]\t")
            own = re.sub(rf"(?i)^\s*{_LABEL_OTHER}\s*:?\s*$", "", own)
            own_info = _parse_header(own) if own else {"title": None, "employer": None, "location": None}
            if own_info["title"] and own_info["employer"]:
                header_bits: list[str] = []  # the line says it all: pending lines belong to the previous role
            else:
                header_bits = []
                for p in reversed(pending):
                    if len(header_bits) == 2 or not _header_like(p):
                        break
                    header_bits.insert(0, p)
            if current is not None:
                extra = pending[: len(pending) - len(header_bits)]
                for p in extra:
                    current["bullets"].append(_strip_bullet(p))
            pending.clear()
            header = " | ".join([*header_bits, own] if own else header_bits)
            info = _parse_header(header) if header_bits else own_info
            current = {"employer": info["employer"] or "", "title": info["title"] or "",
                       "start": normalise_date(m.group("start")), "end": normalise_date(m.group("end")),
                       "location": info["location"], "bullets": []}
            entries.append(current)
            header_open = not (current["employer"] and current["title"])
            continue
        if _is_bullet(line):
            header_open = False
            if pending and current is not None:
                flush_pending_as_text()
            if current is not None:
                current["bullets"].append(_strip_bullet(line))
            continue
        plain = line.strip()
        if current is not None and header_open and len(plain) <= 90 and not plain.endswith("."):
            info = _parse_header(plain)
            if not current["title"] and info["title"]:
                current["title"] = info["title"]
                if not current["employer"] and info["employer"]:
                    current["employer"] = info["employer"]
            elif not current["employer"]:
                current["employer"] = info["employer"] or info["title"] or plain
            if not current["location"] and info["location"]:
                current["location"] = info["location"]
            header_open = not (current["employer"] and current["title"])
            continue
        header_open = False
        if _column_names(plain):
            continue
        pending.append(plain)
    flush_pending_as_text()
    for e in entries:
        # "Responsibilities:" and similar labels are layout, not content.
        e["bullets"] = [b for b in (x.strip() for x in e["bullets"])
                        if b and not (b.endswith(":") and len(b.split()) <= 3)]
    return entries


# ------------------------------------------------------------------------------------------------
# Education
# ------------------------------------------------------------------------------------------------
def parse_education(lines: list[str]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    cur: dict[str, Any] | None = None
    for raw in lines:
        line = _strip_bullet(raw)
        parts = [p.strip(" .") for p in re.split(r"\s*\|\s*|\s+[–—-]\s+|\s*,\s+|\s{3,}", line) if p.strip(" .")]
        degree = next((p for p in parts if _DEGREE.search(p)), None)
        inst = next((p for p in parts if _INSTITUTION.search(p) and p != degree), None)
        if inst is None and degree is None:
            if cur is not None and not cur["institution"] and len(parts) == 1 and not _SINGLE_YEAR.search(line):
                cur["institution"] = parts[0]
            years = _SINGLE_YEAR.findall(line)
            if cur is not None and years and not cur["end"]:
                _set_years(cur, line)
            continue
        new_needed = cur is None or (degree and cur["degree"]) or (inst and cur["institution"])
        if new_needed:
            cur = {"institution": "", "degree": None, "field": None, "start": None, "end": None}
            entries.append(cur)
        assert cur is not None
        if degree:
            dm = re.match(r"(.+?)\s+(?:in|of)\s+(.+)$", degree)
            if dm and _DEGREE.search(dm.group(1)):
                cur["degree"], cur["field"] = dm.group(1).strip(), dm.group(2).strip()
            else:
                cur["degree"] = degree
                dk = _DEGREE.search(degree)
                tail = degree[dk.end():].strip(" .,-") if dk else ""
                if dk and dk.start() == 0 and tail and not _SINGLE_YEAR.search(tail) and len(tail.split()) <= 6:
                    cur["degree"], cur["field"] = degree[: dk.end()].strip(), tail
                idx = parts.index(degree)
                nxt = parts[idx + 1] if idx + 1 < len(parts) else None
                if (nxt and not cur["field"] and nxt != inst and not _SINGLE_YEAR.search(nxt) and not _city_in(nxt)
                        and not re.search(r"\b(cgpa|gpa|percentage|%)", nxt, re.I)):
                    cur["field"] = nxt
        if inst:
            cur["institution"] = inst
        _set_years(cur, line)
    return [e for e in entries if e["institution"] or e["degree"]]


def _set_years(entry: dict[str, Any], line: str) -> None:
    m = _RANGE.search(line)
    if m:
        entry["start"] = normalise_date(m.group("start"))
        entry["end"] = normalise_date(m.group("end"))
        return
    years = _SINGLE_YEAR.findall(line)
    if years and not entry.get("end"):
        entry["end"] = years[-1]


# ------------------------------------------------------------------------------------------------
# Skills
# ------------------------------------------------------------------------------------------------
def parse_skills(section: list[str], full_text: str) -> tuple[list[str], float]:
    listed: list[str] = []
    for raw in section:
        line = _strip_bullet(raw)
        m = re.match(r"\s*[A-Za-z /&-]{2,40}:\s*(.+)$", line)
        if m:
            line = m.group(1)
        for item in re.split(r"\s*[,;|•·▪]\s*|\s+-\s+|\s{3,}", line):
            item = item.strip(" .()")
            if not item:
                continue
            canon = vocab.normalise(item)
            if canon:
                listed.append(canon)
                continue
            found = vocab.extract(item)
            if found:
                listed.extend(found)
            elif len(item) <= 30 and len(item.split()) <= 3 and not item[:1].isdigit():
                listed.append(item)
    mentioned = vocab.extract(full_text)
    out = vocab.normalise_list(listed + mentioned)
    confidence = 0.9 if listed else (0.6 if mentioned else 0.0)
    return out, confidence


# ------------------------------------------------------------------------------------------------
# Everything
# ------------------------------------------------------------------------------------------------
def parse_lines(lines: list[str], today: date | None = None) -> dict[str, Any]:
    """Profile-shaped dict from resume lines (see ``docs/architecture.md`` "Resume parsing")."""
    text = "\n".join(lines)
    head, sections = split_sections(lines)
    contact = head[:12] + sections.get("contact", [])
    conf: dict[str, float] = {}

    name = None
    for i, line in enumerate(head[:6]):
        cand = line.strip()
        cand = re.split(r"\s*[|•·]\s*", cand)[0].strip()
        if _looks_like_name(cand):
            name = cand
            conf["name"] = 0.95 if i == 0 else 0.75
            break
    if name is None:
        conf["name"] = 0.0
    first, last = _split_name(name) if name else (None, None)

    emails = _EMAIL.findall("\n".join(contact)) or _EMAIL.findall(text)
    conf["email"] = 0.99 if emails else 0.0
    phone = _phone("\n".join(contact)) or _phone(text)
    conf["phone"] = 0.95 if phone else 0.0
    location, conf["location"] = _location(contact)
    links = _links(text, emails)
    conf["links"] = 0.95 if links else 0.0

    summary_lines = sections.get("summary") or []
    summary = " ".join(_strip_bullet(x) for x in summary_lines).strip() or None
    conf["summary"] = 0.9 if summary else 0.0

    experience = parse_experience(sections.get("experience", []))
    if experience:
        complete = sum(1 for e in experience if e["employer"] and e["title"] and e["start"])
        conf["experience"] = round(0.5 + 0.45 * complete / len(experience), 2)
    else:
        conf["experience"] = 0.0
    education = parse_education(sections.get("education", []))
    conf["education"] = (0.85 if all(e["institution"] and e["degree"] for e in education) else 0.6) if education else 0.0
    skills, conf["skills"] = parse_skills(sections.get("skills", []), text)

    years = years_of_experience(experience, today)
    if years is not None:
        conf["years_experience"] = conf["experience"]
    else:
        m = re.search(r"(\d{1,2}(?:\.\d)?)\s*\+?\s*(?:years|yrs)(?:\s+of)?\s+(?:\w+\s+){0,3}?experience", text, re.I)
        years = float(m.group(1)) if m else None
        conf["years_experience"] = 0.6 if m else 0.0

    current = next((e for e in experience if e.get("end") == "present"), None)
    work: dict[str, Any] = {"years_experience": years}
    if current:
        work["current_company"] = current["employer"] or None
        work["current_title"] = current["title"] or None
    return {
        "identity": {"first_name": first, "last_name": last, "email": emails[0] if emails else None,
                     "phone": phone, "location": location},
        "links": links,
        "summary": summary,
        "experience": experience,
        "education": education,
        "skills": skills,
        "work": work,
        "confidence": conf,
    }


def flat_view(profile: dict[str, Any]) -> dict[str, Any]:
    """The ``talvix parse-resume --json`` shape: one flat object with the fields operators look at."""
    ident = profile.get("identity") or {}
    name = " ".join(p for p in (ident.get("first_name"), ident.get("last_name")) if p) or None
    return {
        "name": name,
        "email": ident.get("email"),
        "phone": ident.get("phone"),
        "location": ident.get("location"),
        "links": {k: v for k, v in (profile.get("links") or {}).items() if v},
        "summary": profile.get("summary"),
        "experience": profile.get("experience") or [],
        "education": profile.get("education") or [],
        "skills": profile.get("skills") or [],
        "years_experience": (profile.get("work") or {}).get("years_experience"),
        "confidence": profile.get("confidence") or {},
    }
