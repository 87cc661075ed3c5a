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

PARSER_VERSION = "talvix-rules/2"

# ------------------------------------------------------------------------------------------------
# Sections
# ------------------------------------------------------------------------------------------------
_HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": ("summary", "professional summary", "profile", "profile summary", "professional profile", "about",
                "about me", "objective", "career objective", "career summary", "overview", "executive summary",
                "personal profile", "personal statement", "summary of qualifications", "career profile"),
    "experience": ("experience", "work experience", "professional experience", "employment", "employment history",
                   "work history", "career history", "relevant experience", "experience summary", "internships",
                   "internship", "work", "professional background", "employment details", "work details",
                   "industry experience", "professional experience and internships"),
    "education": ("education", "academics", "academic background", "educational qualifications", "qualifications",
                  "academic qualifications", "education and training", "education & training", "education details",
                  "academic details", "academic profile", "educational background", "scholastic profile"),
    "skills": ("skills", "technical skills", "key skills", "core skills", "core competencies", "competencies",
               "skills and tools", "skills & tools", "technologies", "tech stack", "tools", "areas of expertise",
               "expertise", "skill set", "skillset", "technical proficiency", "skills summary", "key competencies",
               "technical expertise", "it skills", "software skills", "tools and technologies",
               "tools & technologies", "technical competencies", "skills & expertise", "skills and expertise"),
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
# Headings Indian resumes use besides those above ("EDUCATIONAL QUALIFICATION", "PERSONAL DETAILS", "STRENGTHS"),
# each in its singular or plural: a heading not known would leave its lines in the section above it.
_HEADING_INDEX.update({h: section for section, names in {
    "summary": ("profile summary", "career objective", "objective", "professional summary", "career summary",
                "resume headline", "profile headline", "headline"),
    "experience": ("work experience", "professional experience", "internship experience", "work profile",
                   "employment record", "organisational experience", "organizational experience",
                   "experience details", "professional work experience", "job profile"),
    "education": ("educational qualification", "education qualification", "academic qualification",
                  "qualification", "academic credential", "educational detail", "academic record",
                  "education and qualification", "educational profile"),
    "skills": ("technical skill", "key skill", "it skill", "software proficiency", "computer skill",
               "computer proficiency", "technical knowledge", "professional skill", "top skill"),
    "projects": ("project", "academic project", "project detail", "projects undertaken", "project undertaken",
                 "major project", "mini project"),
    "contact": ("personal detail", "personal information", "personal profile detail", "personal data"),
    "other": ("strength", "key strength", "hobby", "language", "languages known", "language known",
              "honors awards", "honors and awards", "honours and awards", "publication", "patent",
              "volunteer experience",
              "extra curricular activity", "extracurricular activity", "co curricular activity",
              "achievement", "award", "declaration", "interest", "reference", "personal strength",
              "area of interest", "areas of interest"),
}.items() for n in names for h in (n, n[:-1] + "ies" if n.endswith("y") else n + "s") if h not in _HEADING_INDEX})

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
    r"high school|cbse|icse|post graduate|postgraduate|graduate certificate|intermediate|matriculation|"
    r"pre[- ]university|puc|class 12|class 10|std\.? xii|std\.? x\b|sslc)",
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
    "denver", "atlanta", "portland", "raleigh", "dallas", "houston", "san jose", "san diego", "philadelphia",
    "washington", "miami", "phoenix", "minneapolis", "pittsburgh", "detroit", "nashville", "salt lake city",
    "manchester", "leeds", "bristol", "edinburgh", "glasgow", "cambridge", "oxford", "birmingham", "liverpool",
    "cardiff", "belfast", "newcastle", "sheffield", "nottingham", "reading", "brighton",
    "tiruchirappalli", "trichy", "pilani", "vellore", "manipal", "warangal", "kharagpur", "roorkee",
    "nyc", "new york city", "sf", "bay area", "silicon valley", "brooklyn", "oakland", "palo alto",
    "mountain view", "sunnyvale", "cupertino", "redmond", "jersey city", "cambridge, ma",
)
_US_STATES = ("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
              "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC").split()
_IN_STATES = ("maharashtra", "karnataka", "telangana", "tamil nadu", "uttar pradesh", "kerala", "haryana", "gujarat",
              "west bengal", "rajasthan", "andhra pradesh", "punjab", "madhya pradesh", "odisha", "bihar",
              "jharkhand", "assam", "uttarakhand", "himachal pradesh", "chhattisgarh", "delhi ncr", "ncr")
_UK_PARTS = ("uk", "united kingdom", "england", "scotland", "wales", "northern ireland", "great britain", "gb")
_UK_CITIES = ("london", "manchester", "leeds", "bristol", "edinburgh", "glasgow", "cambridge", "oxford", "birmingham",
              "liverpool", "cardiff", "belfast", "newcastle", "sheffield", "nottingham", "reading", "brighton")
_US_CITIES = ("nyc", "new york city", "sf", "bay area", "silicon valley", "brooklyn", "oakland", "palo alto",
              "mountain view", "sunnyvale", "cupertino", "redmond", "jersey city", "new york", "san francisco", "seattle", "austin", "boston", "chicago", "los angeles", "denver",
              "atlanta", "portland", "raleigh", "dallas", "houston", "san jose", "san diego", "philadelphia",
              "washington", "miami", "phoenix", "minneapolis", "pittsburgh", "detroit", "nashville", "salt lake city")
_IN_CITIES = _CITIES[:_CITIES.index("london")]
#: "City, ST" / "City, State" / "City, Country": the place after the comma says the country.
_PLACE = re.compile(
    r"(?P<city>[A-Z][A-Za-z.'\-]+(?: [A-Z][A-Za-z.'\-]+){0,2}),\s*"
    r"(?P<region>(?:" + "|".join(_US_STATES) + r")\b|(?i:" + "|".join(
        sorted(_IN_STATES + _UK_PARTS + ("india", "usa", "united states", "us", "singapore", "uae", "germany", "canada",
                                         "australia", "netherlands", "ireland", "france", "japan"), key=len,
               reverse=True)) + r")(?![A-Za-z]))"
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
# "Mar 2019", "Mar-2019" (and "01-Mar-2019"), "Mar'19", "03/2019", "2019-03", "2019"
_DATE = rf"(?:(?:\d{{1,2}}(?:st|nd|rd|th)?\s*[-/ ]\s*)?{_MONTH}\s*[',/-]?\s*(?:19|20)\d{{2}}|{_MONTH}\s*['’]\s*\d{{2}}(?!\d)|\d{{1,2}}\s*[/.-]\s*(?:19|20)\d{{2}}|(?:19|20)\d{{2}}\s*[/.-]\s*\d{{1,2}}(?!\d)|(?:19|20)\d{{2}})"
_PRESENT = r"(?:present|current(?:ly)?|now|till\s+(?:date|now|today)|to\s+date|ongoing|today|date|continuing|cont\.?)"
_RANGE = re.compile(
    rf"(?P<start>{_DATE})\s*(?:-|–|—|~|to|until|till|through|→)\s*(?P<end>{_DATE}|{_PRESENT})", re.I
)
_SINGLE_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_DASH = r"(?:-|–|—|~|to|until|till|through|→)"
#: "Jan – Mar 2022": the months share the end's year
_MONTHS_RANGE = re.compile(rf"(?<![A-Za-z])(?P<m1>{_MONTH})\s*{_DASH}\s*(?P<end>{_MONTH}\s*[',]?\s*(?P<y>(?:19|20)\d{{2}}))"
                           rf"(?!\d)", re.I)
#: "Since 2020", "from Mar 2020", "2020 onwards": the role goes on (the resume says so)
_SINCE = re.compile(rf"(?<![A-Za-z])(?:since|from)\s+(?P<start>{_DATE})(?!\d)|(?P<start2>{_DATE})\s+onwards?\b", re.I)
#: "2020 –" with nothing after it: the end is left open (read as present, a guess)
_OPEN = re.compile(rf"(?P<start>{_DATE})\s*(?:-|–|—|→)\s*(?=\s{{3,}}|\s*[|•·)]|$)", re.I)
#: one date on its own ("2021", "Mar 2022", "Summer 2021"): the role's only date
_LONE = re.compile(rf"(?<![\w/.-])(?:(?:summer|winter|spring|autumn|fall)\s+)?(?P<start>{_DATE})(?![\w/.-])", re.I)
_APART = r"(?:^|\s{2,}|\s*[|•·,(:]\s*|\s+[–—-]\s*)$"  # what may stand before a lone date
_APART_AFTER = r"^(?:$|\s{2,}|\s*[|•·,)]|\s+[–—-]\s)"  # ... and after it


class _Dates:
    """The dates of a role's line: where they stand, start and end, and how they were read (``range``: both
    given; ``since``: a start and a word that says the role goes on; ``open``: a start and a dash with nothing
    after it; ``single``: one date alone, so start and end are that date and it is a guess)."""

    def __init__(self, begin: int, stop: int, start: str | None, end: str | None, how: str) -> None:
        self.begin, self.stop, self.start, self.end, self.how = begin, stop, start, end, how

    @property
    def guessed(self) -> bool:
        return self.how in ("open", "single")


def role_dates(line: str) -> _Dates | None:
    """The dates on a role's header line, or None (a bullet's year is not a role's date: see the caller)."""
    m = _RANGE.search(line)
    if m and normalise_date(m.group("start")):
        return _Dates(m.start(), m.end(), normalise_date(m.group("start")), normalise_date(m.group("end")), "range")
    m = _MONTHS_RANGE.search(line)
    if m:
        start = normalise_date(f"{m.group('m1')} {m.group('y')}")
        return _Dates(m.start(), m.end(), start, normalise_date(m.group("end")), "range")
    m = _SINCE.search(line)
    if m:
        start = normalise_date(m.group("start") or m.group("start2"))
        if start:
            return _Dates(m.start(), m.end(), start, "present", "since")
    m = _OPEN.search(line)
    if m and normalise_date(m.group("start")):
        return _Dates(m.start(), m.end(), normalise_date(m.group("start")), "present", "open")
    lone = [x for x in _LONE.finditer(line) if normalise_date(x.group("start"))]
    if len(lone) == 1:
        x = lone[0]
        before, after = line[: x.start()], line[x.end():]
        # apart from the text ("Intern, Acme   2021"), or last after a name ("Intern at Acme 2021")
        if (re.search(_APART, before) or not after.strip() and re.search(r"[A-Z][\w.&'’-]*\s$", before)) \
                and re.search(_APART_AFTER, after):
            value = normalise_date(x.group("start"))
            return _Dates(x.start(), x.end(), value, value, "single")
    return None


def normalise_date(text: str | None) -> str | None:
    """'Mar 2019', '03/2019', '2019-03' -> '2019-03'; '2019' -> '2019'; 'Present' -> 'present'."""
    if not text:
        return None
    t = text.strip().lower().rstrip(".")
    t = re.sub(rf"^\d{{1,2}}(?:st|nd|rd|th)?\s*[-/ ]\s*(?={_MONTH})", "", t)  # "01-Jul-2019": the day goes
    if re.fullmatch(_PRESENT, t):
        return "present"
    m = re.fullmatch(rf"({_MONTH})\s*[',/-]?\s*((?:19|20)\d{{2}})", t)
    if m:
        return f"{m.group(2)}-{_MONTHS[m.group(1)[:3]]:02d}"
    m = re.fullmatch(rf"({_MONTH})\s*['’]\s*(\d{{2}})", t)
    if m:  # "Jul'20": a two-digit year is this century's unless that would be after next year
        yy = int(m.group(2))
        year = 2000 + yy if 2000 + yy <= date.today().year + 1 else 1900 + yy
        return f"{year}-{_MONTHS[m.group(1)[:3]]:02d}"
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


def _phone(text: str, country: str | None = None) -> tuple[str | None, float]:
    """(E.164, confidence): a number's own prefix (+1, +44, 0044) decides its country; else the resume's own
    location; India only when nothing says otherwise (and the confidence says it was guessed)."""
    text = re.sub(r"(?<=\d)[\u00ad\u200b](?=\d)", "", text)
    for match in phonenumbers.PhoneNumberMatcher(text, "ZZ", leniency=phonenumbers.Leniency.VALID):
        return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164), 0.95
    region = country or "IN"
    sure = 0.9 if country else 0.6
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164), sure
    # "+91-98xxxxxxxx" style numbers the matcher misses when glued to punctuation.
    for cand in re.findall(r"\+?\d[\d\s().-]{8,16}\d", text):
        try:
            num = phonenumbers.parse(cand, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(num):
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164), (0.9 if cand.startswith("+")
                                                                                           else sure)
    if country:
        # a number of the right length for the resume's country that its numbering plan does not know
        # ("123-456-7890" on a New York resume): kept, but a person must confirm it
        for match in phonenumbers.PhoneNumberMatcher(text, country, leniency=phonenumbers.Leniency.POSSIBLE):
            return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164), 0.5
    return None, 0.0


def _is_place(part: str) -> bool:
    """A place on its own: "Austin, TX", "Pune, Maharashtra", "London, UK", a known city, a bare country."""
    p = part.strip(" .()")
    if not p or len(p) > 45 or sum(c.isdigit() for c in p) > 0:
        return False
    m = _PLACE.fullmatch(p)
    if m and not _has_company_word(m.group("city")) and not _has_title_word(m.group("city")):
        return True
    low = p.lower()
    return low in _CITIES or low in _COUNTRIES or low in _IN_STATES or p in _US_STATES or low in _UK_PARTS


def country_of(text: str | None) -> str | None:
    """The country (ISO region code) a place names: "Austin, TX" -> US, "Leeds, UK" -> GB, "Pune" -> IN."""
    if not text:
        return None
    m = _PLACE.search(text)
    if m:
        region = m.group("region")
        low = region.lower()
        if region in _US_STATES or low in ("usa", "united states", "us"):
            return "US"
        if low in _UK_PARTS:
            return "GB"
        if low in _IN_STATES or low == "india":
            return "IN"
        return {"singapore": "SG", "uae": "AE", "germany": "DE", "canada": "CA", "australia": "AU",
                "netherlands": "NL", "ireland": "IE", "france": "FR", "japan": "JP"}.get(low)
    city = _city_in(text)
    if city in _US_CITIES:
        return "US"
    if city in _UK_CITIES:
        return "GB"
    if city in _IN_CITIES:
        return "IN"
    low = text.lower()
    for word, code in (("india", "IN"), ("united kingdom", "GB"), ("united states", "US"), ("usa", "US")):
        if re.search(rf"(?<![a-z]){word}(?![a-z])", low):
            return code
    return None


def _city_in(text: str) -> str | None:
    low = text.lower()
    for city in sorted(_CITIES, key=len, reverse=True):
        if re.search(rf"(?<![a-z]){re.escape(city)}(?![a-z])", low):
            return city
    return None


def _location(contact_lines: list[str]) -> tuple[str | None, float]:
    """The candidate's place from the header/contact block: a labelled one, "City, ST/State/Country", a known city."""
    for line in contact_lines:
        for part in re.split(r"\s*[|•·]\s*|\s{3,}", line):
            m = re.match(r"\s*(?:location|address|city|based in|current location|residence)\s*[:\-]\s*(.+)", part, re.I)
            if m:
                value = m.group(1).strip().rstrip(".")
                if len(value) > 30 or re.search(r"\d{3,}|\d+[ ,]", value):
                    # a street address: its place is the city (with its state) in it
                    place = _PLACE.search(re.sub(r"\d[\d\s-]*", " ", value))
                    city = _city_in(value)
                    if place and (city is None or city in place.group(0).lower()):
                        return place.group(0).strip(), 0.85
                    if city:
                        at = value.lower().find(city)
                        return value[at: at + len(city)], 0.8
                return value, 0.9
    found: tuple[str | None, float] = (None, 0.0)
    for line in contact_lines:
        for part in re.split(r"\s*[|•·]\s*|\s{2,}", line):
            part = part.strip().strip(",;")
            if not part or "@" in part or _URL.search(part) or sum(c.isdigit() for c in part) >= 5:
                continue
            m = _PLACE.fullmatch(part)
            if m and not _has_company_word(m.group("city")) and not _has_title_word(m.group("city")):
                return part.rstrip("."), 0.85
            if found[0] is None and _city_in(part) and len(part) <= 60 and not _has_title_word(part):
                found = (part.rstrip("."), 0.75)
    if found[0] is None:
        # a place inside a longer line ("email phone Mumbai," wrapped onto "Maharashtra")
        joined: list[str] = []
        for line in contact_lines:
            if joined and joined[-1].rstrip().endswith(","):
                joined[-1] = joined[-1].rstrip() + " " + line.strip()
            else:
                joined.append(line)
        for line in joined:
            bare = _URL.sub(" ", _EMAIL.sub(" ", line))
            bare = re.sub(r"\+?\d[\d\s().-]{6,}\d", " ", bare)
            for m in _PLACE.finditer(bare):
                city = m.group("city")
                known = _city_in(city)
                if known:
                    at = city.lower().rfind(known)
                    return bare[m.start() + at: m.end()].strip(), 0.7
    return found


_NOT_NAMES = {"curriculum vitae", "resume", "résumé", "cv", "bio data", "biodata", "bio-data", "profile",
              "personal profile", "contact", "page"}


def _looks_like_name(line: str) -> bool:
    if "@" in line or _URL.search(line) or sum(c.isdigit() for c in line) > 0:
        return False
    if line.strip().lower().strip(":.") in _NOT_NAMES:
        return False
    words = line.replace(",", " ").split()
    if not 1 <= len(words) <= 5:
        return False
    if line.strip().lower().strip(":") in _HEADING_INDEX or _heading_of(line):
        return False
    if any(w.lower().strip(".,") in _TITLE_WORDS for w in words) or _is_place(line) or _has_company_word(line):
        return False
    return all(re.fullmatch(r"[^\W\d_](?:[^\W\d_]|[.'’\-])*", w) for w in words)


def _find_name(lines: list[str], sizes: list[float | None] | None, head_len: int) -> tuple[str | None, list[int], float]:
    """(name, the line numbers it stands on, confidence).

    The name is the largest text of the resume when one size stands out (a sidebar may print it at the
    bottom, split over two lines); else the first name-like line of the header.
    """
    if sizes and any(sizes):
        known = sorted(x for x in sizes if x)
        body = known[len(known) // 2]
        top = max(known)
        if top >= 1.3 * body:
            for i, (line, size) in enumerate(zip(lines, sizes)):
                if size != top:
                    continue
                idx = [i]
                text = line.strip()
                j = i + 1
                # the rest of the name on the next line of the same size (a narrow column or table cell may set
                # a line of contact details between them)
                while j < len(lines) and j <= idx[-1] + 2 and len(idx) < 3:
                    if sizes[j] == top:
                        if not _looks_like_name(lines[j].strip()):
                            break
                        text += " " + lines[j].strip()
                        idx.append(j)
                    j += 1
                text = re.sub(r"\s+", " ", text)
                if _looks_like_name(text):
                    return text, idx, (0.95 if i < 3 else 0.85)
                break  # the largest text is not a name (a logo, a heading): fall back to the header
    for line in lines[: min(head_len, 8)]:
        labelled = re.match(r"(?i)\s*(?:full\s+)?name\s*[:\-]\s*(.+)$", line)
        if labelled and _looks_like_name(re.split(r"\s{3,}|\s*[|•·]\s*", labelled.group(1).strip())[0]):
            return re.split(r"\s{3,}|\s*[|•·]\s*", labelled.group(1).strip())[0], [], 0.9
    for i, line in enumerate(lines[: min(head_len, 6)]):
        whole = re.sub(r"\s+", " ", line.strip())  # "Kavya<TAB>Reddy": a Word export's tab between the words
        cand = whole if _looks_like_name(whole) else re.split(r"\s*[|•·]\s*|\s{3,}", line.strip())[0].strip()
        if _looks_like_name(cand):
            return cand, ([i] if cand == whole else []), (0.9 if i == 0 else 0.7)
    return None, [], 0.0


def _split_name(name: str) -> tuple[str, str | None]:
    name = re.sub(r"\s+", " ", name).strip()
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
    key = re.sub(r"\s+", " ", key.replace("&", " and "))
    if not key or len(key) > 40:
        return None
    return _HEADING_INDEX.get(key)


def split_sections(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """(lines before the first heading, section name -> its lines)."""
    head: list[str] = []
    sections: dict[str, list[str]] = {}
    current: str | None = None
    skip = False
    for i, line in enumerate(lines):
        if skip:
            skip = False
            continue
        name = _heading_of(line)
        if name is None and i + 1 < len(lines) and line.isupper() and lines[i + 1].isupper():
            name = _heading_of(line + " " + lines[i + 1])  # "EDUCATIONAL" / "QUALIFICATIONS" in a narrow column
            skip = name is not None
        if name is not None:
            current = name
            sections.setdefault(current, [])
            continue
        # "Skills: Python, Go" on one line: a heading with its content.
        m = re.match(r"\s*([A-Za-z &]{3,30})\s*:\s*(.+)$", line)
        if m and _HEADING_INDEX.get(m.group(1).strip().lower()) in ("skills", "summary"):
            if _HEADING_INDEX[m.group(1).strip().lower()] == current:
                sections[current].append(line)  # "Tools : Git, JIRA" among the skills: one more labelled line
                continue
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
_SEP = re.compile(r"\s*\|\s*|\s*[•·▪]\s*|\s+[–—-]\s+|\s*,\s+|\s+at\s+|\s+@\s+|\s{3,}|\t+")
_COMMA_KEEP = "\x00"


def _has_title_word(text: str) -> bool:
    low = text.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) for w in _TITLE_WORDS)


def _has_company_word(text: str) -> bool:
    low = text.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) for w in _COMPANY_WORDS)


def _has_legal_word(text: str) -> bool:
    low = text.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) for w in _LEGAL_WORDS)


_PLACE_WORDS = {"greater", "remote", "hybrid", "area", "metro", "city", "region", "onsite", "on-site", "ncr", "office",
                "hq", "north", "south", "east", "west", "central", "downtown"}


def _only_place_words(part: str) -> bool:
    """A part with a known city in it is a place only if nothing else names something ("Remote - Pune", "Greater
    Noida"): "IISc Bangalore" is an institute in Bangalore, so an employer, not a location."""
    city = _city_in(part)
    if city is None:
        return False
    rest = re.sub(rf"(?i)(?<![a-z]){re.escape(city)}(?![a-z])", " ", part)
    words = [w for w in re.split(r"[\s,()/–—-]+", rest) if w]
    return all(w.lower() in _PLACE_WORDS or _is_place(w) for w in words)


def _parse_header(header: str) -> dict[str, Any]:
    """'Senior Engineer, Acme Corp, Bengaluru' / 'Acme Corp | Senior Engineer' -> employer, title, location.

    Labelled forms common in Indian resumes ("Company: X | Designation: Y") are read by their labels.
    ``sure`` names the fields read from a clear sign (a label, a job-title word, a company word, "at", the
    one part left beside a clear title); the others were placed by their order on the line, a guess.
    """
    labelled = _labelled(header)
    if labelled is not None:
        return {**labelled, "sure": {k for k in ("employer", "title") if labelled[k]}}
    at = re.search(r"^(.+?)\s+(?:at|@)\s+(.+)$", header)
    # "Portland, OR" and "Kochi, Kerala" are one place: their comma does not separate parts
    protected = _PLACE.sub(lambda m: m.group(0) if _has_company_word(m.group("city")) or _has_title_word(
        m.group("city")) else m.group(0).replace(",", _COMMA_KEEP), header)
    parts = [p.replace(_COMMA_KEEP, ",").strip(" .()") for p in (_SEP.split(protected))]
    # "Software Developer (Contract)": a bracket closed at the end is kept
    parts = [p + ")" if p.count("(") == p.count(")") + 1 else p for p in parts]
    parts = [p for p in parts if p and not re.fullmatch(r"[\W\d]*", p)]
    # the legal suffix after a comma ("Acme, Inc.") belongs to the employer
    for i in range(len(parts) - 1, 0, -1):
        if re.fullmatch(r"(?i)(inc|llc|ltd|llp|plc|gmbh|corp|co|pvt\.? ltd|limited)\.?", parts[i]):
            parts[i - 1] += ", " + parts.pop(i)
    location = None
    rest: list[str] = []
    for p in parts:
        if location is None and (_is_place(p) or _city_in(p) and len(p.split()) <= 3 and not _has_company_word(p)
                                 and not _has_title_word(p) and _only_place_words(p)):
            location = p
        elif location is not None and _is_place(p) and location in rest[-1:] + [location]:
            location += ", " + p
        else:
            rest.append(p)
    title = employer = None
    sure: set[str] = set()
    if at and _has_title_word(at.group(1)):
        title = at.group(1).strip()
        tail = [p for p in rest if p not in title]
        employer = tail[0] if tail else None
        return {"title": title, "employer": employer, "location": location,
                "sure": {"title", "employer"} if employer else {"title"}}
    titled = [p for p in rest if _has_title_word(p) and not _has_legal_word(p)]
    titled.sort(key=_has_company_word)  # "Software Engineer" beats "Acme Software" when both look titled
    if titled:
        title = titled[0]
        if len(titled) == 1 or _has_company_word(titled[1]) and not _has_company_word(titled[0]):
            sure.add("title")
        others = [p for p in rest if p != title]
        employer = others[0] if others else None
        if employer and (len(others) == 1 or _has_company_word(employer)):
            sure.add("employer")
    elif len(rest) >= 2:
        if _has_company_word(rest[1]) and not _has_company_word(rest[0]):
            title, employer = rest[0], rest[1]
            sure.add("employer")
        else:
            employer, title = rest[0], rest[1]
            if _has_company_word(employer):
                sure.add("employer")
    elif rest:
        if _has_title_word(rest[0]):
            title = rest[0]
            sure.add("title")
        else:
            employer = rest[0]
            # a name alone on its line or cell: the employer, when the role's title is clear elsewhere
            sure.add("employer" if _has_company_word(employer) else "employer_alone")
    return {"title": title, "employer": employer, "location": location, "sure": sure}


_COLUMN_NAMES = {"company", "employer", "organisation", "organization", "role", "title", "designation", "position",
                 "dates", "date", "duration", "period", "from", "to", "location", "tenure", "years"}


_COLUMN_NAMES |= {"degree", "institution", "institute", "university", "college", "school", "board", "year",
                  "year of passing", "passing year", "percentage", "cgpa", "gpa", "grade", "score", "qualification",
                  "course", "specialisation", "specialization", "result", "marks"}


def _column_names(line: str) -> bool:
    """A table's header row ("Company | Role | Dates"), not content."""
    parts = [p.strip().lower().strip(" :/") for p in re.split(r"\s*\|\s*|\s{3,}", line) if p.strip()]
    # "Board/University": a column named two ways
    return len(parts) >= 2 and all(all(q.strip() in _COLUMN_NAMES for q in p.split("/")) for p in parts)


def _header_like(line: str) -> bool:
    """Short, not a sentence: could be the employer or title line above a date line."""
    if _is_bullet(line) or line[:1].islower():
        return False
    if _labelled(line) is not None:
        return True
    words = line.split()
    ends_sentence = line.rstrip().endswith((".", "%", ";")) and not (
        len(words) <= 5 or re.search(r"(?i)\b(?:inc|ltd|co|corp|pvt|llc|plc|s\.a)\.$", line.rstrip()))
    if len(line) > 100 or len(words) > 12 or ends_sentence:
        return False
    # a longer line is a header when its parts are set apart ("Title, Employer, City"); else it is a sentence
    return len(words) <= 6 or bool(re.search(r"\s[|•·—–-]\s|,\s|\s{3,}|\s(?:at|@)\s", line))


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


_EMPLOYER_COLUMNS = {"company", "employer", "organisation", "organization"}
_TITLE_COLUMNS = {"role", "title", "designation", "position"}
_DATE_COLUMNS = {"dates", "date", "duration", "period", "tenure", "years"}


def _joined_ranges(lines: list[str]) -> list[str]:
    """'Jan 2021 –' over 'Present' (a range wrapped after its dash) is one line again."""
    out: list[str] = []
    for raw in lines:
        if (out and not _is_bullet(out[-1]) and re.search(rf"{_DATE}\s*(?:-|–|—|to)\s*$", out[-1], re.I)
                and re.match(rf"\s*(?:{_DATE}|{_PRESENT})(?![\w/])", raw, re.I)):
            out[-1] = out[-1].rstrip() + " " + raw.strip()
        else:
            out.append(raw)
    return out


def _by_columns(line: str, columns: list[str], dates: _Dates) -> dict[str, Any] | None:
    """A table row read by its header row's column names ("Company | Role | Duration"), or None if the row does
    not fit them (another number of cells, or the dates in another column)."""
    cells = [c.strip() for c in re.split(r"\s*\|\s*|\s{3,}", line.strip())]
    if len(cells) != len(columns):
        return None
    at = 0
    for k, cell in enumerate(cells):
        at = line.find(cell, at)
        if at <= dates.begin < at + len(cell) and columns[k] not in _DATE_COLUMNS:
            return None
        at += len(cell)
    out: dict[str, Any] = {"title": None, "employer": None, "location": None, "sure": set()}
    for name, cell in zip(columns, cells):
        if not cell:
            continue
        if name in _EMPLOYER_COLUMNS:
            part = _parse_header(cell)  # "Acme Corp, Pune": the place in the employer's cell is its location
            out["employer"] = part["employer"] or part["title"] or cell
            out["location"] = out["location"] or part["location"]
            out["sure"].add("employer")
        elif name in _TITLE_COLUMNS:
            out["title"] = cell
            out["sure"].add("title")
        elif name == "location":
            out["location"] = cell
    return out if out["employer"] or out["title"] else None


def _add_text(bullets: list[str], line: str) -> None:
    """A role's line of text: a bullet of its own, or, starting in lower case, the sentence above going on."""
    if bullets and not _is_bullet(line) and line[:1].islower():
        bullets[-1] += " " + line.strip()
    else:
        bullets.append(_strip_bullet(line))


def _client_project(header: list[str], d: _Dates, host: dict[str, Any]) -> bool:
    """A header that names a client (and no employer of its own) dated within the role before it."""
    client = any(re.match(r"(?i)\s*client(?:\s+name)?\s*:", h) for h in header)
    employer = any(re.match(r"(?i)\s*(?:company|organi[sz]ation|employer)(?:\s+name)?\s*:", h) for h in header)
    if not client or employer:
        return False
    today = date.today()
    start, host_start = _month_index(d.start, today, is_end=False), _month_index(host.get("start"), today, is_end=False)
    end, host_end = _month_index(d.end, today, is_end=True), _month_index(host.get("end"), today, is_end=True)
    if start is None or host_start is None or end is None or host_end is None:
        return False
    return host_start <= start and end <= host_end


def parse_experience(lines: list[str]) -> list[dict[str, Any]]:
    """The roles of an experience section: employer, title, location, start, end, bullets and ``guessed``.

    ``guessed`` names the fields of the role that were not read from a clear structure: ``employer`` or
    ``title`` placed by their order on the line (no label, table column, job-title or company word said
    which is which), ``dates`` when the role gives one date alone (start and end are that date) or a start
    with an open dash (the end is taken as present). A role that says "since 2020" goes on to the present
    and is not a guess.
    """
    entries: list[dict[str, Any]] = []
    pending: list[str] = []  # plain lines not yet assigned: a header of the next role or text of this one
    current: dict[str, Any] | None = None
    header_open = False  # the current role's header may still continue on the next plain line
    columns: list[str] | None = None  # a table's column names, from its header row
    sure: set[str] = set()  # the current role's fields read from a clear structure

    def flush_pending_as_text() -> None:
        if current is not None:
            for p in pending:
                _add_text(current["bullets"], p)
        pending.clear()

    def close(entry: dict[str, Any] | None) -> None:
        if entry is None:
            return
        if "employer_alone" in sure and "title" in sure:
            sure.add("employer")
        entry["guessed"] = [f for f in ("employer", "title") if entry[f] and f not in sure] + [
            f for f in entry["guessed"] if f == "dates"]
        line = entry.pop("_dated_once", None)
        if line is not None and not sure & {"title", "employer"}:
            # one date and nothing that reads as a job ("Employee of the Year, 2021"): text of the role above
            entries.remove(entry)
            if entries:
                entries[-1]["bullets"].extend([_strip_bullet(line), *entry["bullets"]])

    blank: dict[str, Any] = {"title": None, "employer": None, "location": None, "sure": set()}
    for line in _joined_ranges(lines):
        d = role_dates(line) if not _is_bullet(line) else None
        if d is not None and d.how != "range":
            rest = (line[: d.begin] + "   " + line[d.stop:]).strip(" |,–—-()[]\t·•")
            if rest and not _header_like(rest):
                d = None  # a year in a sentence is not a role's date
        if d is not None:
            own = (line[: d.begin] + " | " + line[d.stop:]).strip(" |,–—-()[]\t·•")
            own = re.sub(r"(?i)\b(?:duration|period|dates?|tenure|from)\s*:\s*", "", own).strip(" |,–—-()[]\t·•")
            place = re.search(r"(?i)\b(?:location|place|city)\s*:\s*([^|]+)", own)
            by_columns = _by_columns(line, columns, d) if columns else None
            if by_columns is not None:
                own_info = by_columns
            elif place and not re.search(rf"(?i)\b(?:{_LABEL_EMPLOYER}|{_LABEL_TITLE})\s*:", own):
                own_info = {**blank, "location": place.group(1).strip(" ,.")}
                own = ""
            else:
                own_info = _parse_header(own) if own else dict(blank)
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
            close(current)
            if by_columns is not None or not header_bits:
                info = own_info
            else:
                info = _parse_header(" | ".join([*header_bits, own] if own else header_bits))
            if not info["location"] and own_info["location"]:
                info["location"] = own_info["location"]
            host = entries[-1] if entries else None
            if host is not None and _client_project([*header_bits, own], d, host):
                # "Client: Barclays / Role: Developer / Duration: ..." inside the tenure of the role above (an IT
                # services resume's projects): a project of that role, never a role at the client
                what = ", ".join(x for x in (info["employer"] and f"client {info['employer']}", info["title"]) if x)
                host["bullets"].append(f"Project ({what}, {line[d.begin:d.stop].strip()})" if what else line.strip())
                current, header_open = host, False
                continue
            sure = set(info.get("sure") or ())
            current = {"employer": info["employer"] or "", "title": info["title"] or "", "start": d.start,
                       "end": d.end, "location": info["location"], "bullets": [],
                       "guessed": ["dates"] if d.guessed else []}
            if d.guessed:
                current["_dated_once"] = line.strip()
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
        if current is not None and header_open and _is_place(plain):
            current["location"] = current["location"] or plain  # "Cambridge" under the employer's cell
            continue
        if current is not None and header_open and len(plain) <= 90 and _header_like(plain):
            info = _parse_header(plain)
            said = info.get("sure") or set()
            if not current["title"] and info["title"]:
                current["title"] = info["title"]
                if "title" in said:
                    sure.add("title")
                if not current["employer"] and info["employer"]:
                    current["employer"] = info["employer"]
                    if "employer" in said:
                        sure.add("employer")
            elif not current["employer"]:
                current["employer"] = info["employer"] or info["title"] or plain
                if info["employer"]:
                    sure |= said & {"employer", "employer_alone"}
            if not current["location"] and info["location"]:
                current["location"] = info["location"]
            header_open = not (current["employer"] and current["title"])
            continue
        header_open = False
        if _column_names(plain):
            columns = [c.strip().lower().strip(" :/") for c in re.split(r"\s*\|\s*|\s{3,}", plain) if c.strip()]
            continue
        pending.append(plain)
    flush_pending_as_text()
    close(current)
    for e in entries:
        # "Responsibilities:" and similar labels are layout, not content.
        e["bullets"] = [b for b in (x.strip() for x in e["bullets"])
                        if b and not (b.endswith(":") and len(b.split()) <= 3)]
    return entries


_PROSE_ROLE = re.compile(
    r"(?i)\b(?:(?:currently|presently|previously|earlier|formerly|now)\s+)?(?:i\s+(?:am|was|have\s+been)\s+)?"
    r"(?:working|worked|associated|employed|serving|served)\s+"
    r"(?:(?:with|at|in|for)\s+(?P<emp1>[^.;]{1,80}?)\s+as\s+(?:an?\s+)?(?P<title1>[^.;,]{1,60}?)"
    r"|as\s+(?:an?\s+)?(?P<title2>[^.;,]{1,60}?)\s+(?:with|at|in|for)\s+(?P<emp2>[^.;]{1,80}?))"
    r"\s*,?\s+(?=(?:from|since|during)\b)"
)


#: The longest line read as a sentence that tells a role or a school (longer ones are never such sentences).
_SENTENCE_MAX = 400


def prose_roles(lines: list[str]) -> list[dict[str, Any]]:
    """Roles told in sentences, as many Indian resumes tell them in their summary ("Currently working with
    Infosys Ltd as Senior Systems Engineer from Jul 2020 to till date", "Worked as Analyst in Wipro, Pune
    since 2019"): employer, title and dates, each only where the sentence says it plainly. The caller marks
    them for a person to confirm: a sentence is read less surely than a role's own header."""
    roles: list[dict[str, Any]] = []
    for raw in lines:
        line = _strip_bullet(raw)
        if len(line) > _SENTENCE_MAX:
            continue  # a sentence that tells a role is short; a long line is text, and reading it costs time
        for m in _PROSE_ROLE.finditer(line):
            employer = (m.group("emp1") or m.group("emp2") or "").strip(" ,")
            title = (m.group("title1") or m.group("title2") or "").strip(" ,")
            d = role_dates(line[m.end():])
            if d is None or d.begin > 6 or not _has_title_word(title) or not 1 <= len(employer.split()) <= 8:
                continue
            location = None
            emp_parts = [x.strip() for x in employer.split(",")]
            if len(emp_parts) > 1 and all(_is_place(x) for x in emp_parts[1:]):
                employer, location = emp_parts[0], ", ".join(emp_parts[1:])
            if len(title.split()) > 6 or _is_place(employer):
                continue
            roles.append({"employer": employer, "title": title, "start": d.start, "end": d.end,
                          "location": location, "bullets": [], "guessed": ["dates"] if d.guessed else []})
    return roles


# ------------------------------------------------------------------------------------------------
# Education
# ------------------------------------------------------------------------------------------------
def _clean_institution(text: str) -> str:
    """'University of Bristol 2012 –' -> 'University of Bristol': years and dashes after the name go."""
    m = re.search(r"\s*[—–-]*\s*(?:19|20)\d{2}\b", text)
    if m and m.start() > 0:
        text = text[: m.start()]
    return text.strip(" .,;:—–-|")


def _joined_wraps(lines: list[str]) -> list[str]:
    """A line that goes on from the one above (a narrow column: '...Technology' / 'and Science, Pilani')."""
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if (out and re.match(r"(?:and|of|for|&|in|at)\b|[a-z]", line) and not _SINGLE_YEAR.search(out[-1])
                and _INSTITUTION.search(out[-1]) and not _DEGREE.match(line)):
            out[-1] = out[-1] + " " + line
            continue
        prev = re.split(r"\s{3,}", out[-1].strip()) if out else []
        cur = re.split(r"\s{3,}", line)
        place = re.split(r"\s+[–—-]\s*|\s*[—–]\s*|\s*,\s*", cur[0])[0].strip(" .")
        if prev and _INSTITUTION.search(prev[0]) and (
                re.search(r"\b(?:of|and|&|for|at|in)$", prev[0])
                # "... Class XII" over "(CBSE)   2016": a bracket that goes on with the degree
                or cur[0].startswith("(") and not prev[0].endswith(")") and not _SINGLE_YEAR.search(cur[0])
                # "Delhi Public School,   2014" over "Noida — Class XII   –": the place after the comma goes on
                or prev[0].endswith(",") and not _DEGREE.search(place)
                and (_is_place(place) or re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z]+)?", place))):
            # "PSG College of   2014" over "Technology — B.E.   2018": the name goes on in the same column
            out[-1] = "   ".join([prev[0] + " " + cur[0]] + prev[1:] + cur[1:])
            continue
        out.append(raw)
    return out


def _inst_with_place(parts: list[str], i: int, degree: str | None) -> str:
    """The institution at parts[i], with the place after its comma ('College of Engineering, Pune')."""
    inst = parts[i]
    if i + 1 < len(parts):
        nxt = parts[i + 1].strip()
        if (nxt and nxt != degree and not _DEGREE.search(nxt) and not re.search(r"\d", nxt)
                and not re.search(r"(?i)\b(cgpa|gpa|percentage|grade)\b", nxt)
                and (_is_place(nxt) or re.fullmatch(r"[A-Z][a-z]+", nxt))):
            inst = f"{inst}, {nxt}"
    return inst


_BOARD = re.compile(r"(?i)\b(?:cbse|icse|isc|board)\b")  # "CBSE", "Maharashtra State Board", "Board of ..."
_EDU_SENTENCE = re.compile(
    r"^(?:(?:completed|passed|pursuing|did|done)\s+(?:my\s+)?)?(?P<degree>.+?)\s+(?:from|at)\s+(?P<inst>.+?)"
    r"(?:\s*,?\s+(?:with|securing|scoring|and\s+secured)\s+(?P<score>[\d.]+\s*(?:%|cgpa|gpa|percent(?:age)?)?)"
    r"(?:\s+(?:cgpa|gpa|marks|aggregate))?)?\s*,?\s*(?:(?:in|during|\(|[–—-])\s*(?:the\s+year\s+)?)?"
    r"(?P<year>(?:19|20)\d{2})?\)?(?:\s*,?\s+(?:with|securing|scoring)\s+[\d.]+\s*\S*(?:\s+\w+)?)?\s*\.?$",
    re.I,
)


def _education_sentence(line: str) -> dict[str, Any] | None:
    """'B.Tech (ECE) from JNTU Hyderabad with 72% in 2018.': an education entry written as a sentence, as many
    Indian resumes do ('Completed MBA from X in 2017', 'SSC from Y with 9.2 CGPA in 2012'); None otherwise."""
    m = _EDU_SENTENCE.match(line.strip()) if len(line) <= _SENTENCE_MAX else None
    if not m or not _DEGREE.search(m.group("degree")) or _INSTITUTION.search(m.group("degree")):
        return None
    degree, field = _degree_and_field(m.group("degree").strip(" ,.;"))
    inst = m.group("inst").strip(" ,.;")
    if not inst or re.search(r"\d", inst) or len(inst.split()) > 10:
        return None
    return {"institution": inst, "degree": degree, "field": field, "start": None, "end": m.group("year")}


def _degree_and_field(text: str) -> tuple[str, str | None]:
    """'B.Tech (ECE)' -> ('B.Tech', 'ECE'); 'B.Tech in Computer Science' -> ('B.Tech', 'Computer Science')."""
    bm = re.match(r"(.+?)\s*\(([^()]{2,60})\)\s*$", text)
    if bm and _DEGREE.search(bm.group(1)):
        return bm.group(1).strip(), (None if _BOARD.search(bm.group(2)) else bm.group(2).strip())
    dm = re.match(r"(.+?)\s+in\s+(.+)$", text)
    if not (dm and _DEGREE.search(dm.group(1))):
        dm = re.match(r"(.+?)\s+(?:in|of)\s+(.+)$", text)
    if dm and _DEGREE.search(dm.group(1)) and not _DEGREE.fullmatch(text):
        return dm.group(1).strip(), dm.group(2).strip(" ()")
    return text, None


_EDU_COLUMNS = {"degree": "degree", "qualification": "degree", "course": "degree", "examination": "degree",
                "exam": "degree", "institution": "institution", "institute": "institution", "university": "institution",
                "college": "institution", "school": "institution", "board": "institution",
                "year": "end", "year of passing": "end", "passing year": "end"}


def _education_row(line: str, columns: list[str]) -> dict[str, Any] | None:
    """A row of an education table read by its header ("Qualification   Board/University   Year   Percentage")."""
    cells = [c.strip() for c in re.split(r"\s*\|\s*|\s{3,}", line.strip())]
    if len(cells) != len(columns):
        return None
    out: dict[str, Any] = {"institution": "", "degree": None, "field": None, "start": None, "end": None}
    for column, cell in zip(columns, cells):
        kind = _EDU_COLUMNS.get(column.split("/")[0].strip())
        if kind == "degree":
            out["degree"], out["field"] = _degree_and_field(cell)  # "12th (CBSE)": a board is no field
        elif kind == "institution":
            out["institution"] = cell
        elif kind == "end" and _SINGLE_YEAR.fullmatch(cell):
            out["end"] = cell
    return out if out["degree"] and (out["institution"] or out["end"]) else None


def parse_education(lines: list[str]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    cur: dict[str, Any] | None = None
    columns: list[str] | None = None
    for raw in _joined_wraps(lines):
        line = _strip_bullet(raw)
        if _column_names(line):
            columns = [c.strip().lower().strip(" :") for c in re.split(r"\s*\|\s*|\s{3,}", line) if c.strip()]
            continue
        row = _education_row(line, columns) if columns else None
        if row is not None:
            entries.append(row)
            cur = None
            continue
        sentence = _education_sentence(line)
        if sentence is not None:
            entries.append(sentence)
            cur = None
            continue
        parts = [p.strip(" .") for p in re.split(r"\s*\|\s*|\s+[–—-]\s*|\s*[—–]\s+|\s*,\s+|\s{3,}", line)
                 if p.strip(" .")]
        degree = next((p for p in parts if _DEGREE.search(p) and not _INSTITUTION.search(p)), None) or next(
            (p for p in parts if _DEGREE.search(p)), None)
        inst_i = next((i for i, p in enumerate(parts) if _INSTITUTION.search(p) and p != degree), None)
        inst = _clean_institution(_inst_with_place(parts, inst_i, degree)) if inst_i is not None else None
        if inst is None and degree is None:
            if (cur is not None and not cur["institution"] and len(parts) == 1 and not _SINGLE_YEAR.search(line)
                    and not _is_place(parts[0]) and not re.search(r"(?i)\b(cgpa|gpa|percentage|grade)\b", line)):
                cur["institution"] = _clean_institution(parts[0])
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
            # "Bachelor of Engineering (B.E.) in Computer Engineering": the field is after "in", not "of"
            dm = re.match(r"(.+?)\s+in\s+(.+)$", degree)
            if not (dm and _DEGREE.search(dm.group(1))):
                dm = re.match(r"(.+?)\s+(?:in|of)\s+(.+)$", degree)
            if dm and _DEGREE.search(dm.group(1)):
                cur["degree"], cur["field"] = dm.group(1).strip(), dm.group(2).strip()
            else:
                cur["degree"] = degree
                dk = _DEGREE.search(degree)
                end = dk.end() if dk else 0
                while dk:  # "B.Tech/B.E." (Naukri's way): one degree named two ways
                    slash = re.match(r"\s*/\s*", degree[end:])
                    more = _DEGREE.match(degree, end + slash.end()) if slash else None
                    if more is None:
                        break
                    end = more.end()
                tail = degree[end:].strip(" .,-")
                if re.fullmatch(r"\([^()]+\)", tail):
                    tail = tail[1:-1].strip()  # "MBA (Business Analytics)": the field without its brackets
                if dk and dk.start() == 0 and tail and not _SINGLE_YEAR.search(tail) and len(tail.split()) <= 6:
                    # "Class XII (CBSE)": a school board is no field of study
                    cur["degree"], cur["field"] = degree[:end].strip(), (None if _BOARD.search(tail) else tail)
                idx = parts.index(degree)
                nxt = parts[idx + 1] if idx + 1 < len(parts) else None
                # the part after the degree is its field unless it is the institution (or a place, a year, a mark)
                if (nxt and not cur["field"] and nxt != inst and idx + 1 != inst_i and not _SINGLE_YEAR.search(nxt)
                        and not _city_in(nxt) and not re.search(r"\b(cgpa|gpa|percentage|%)", nxt, re.I)
                        and not _BOARD.search(nxt)):  # "HSC, Maharashtra State Board": a board, not a field
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
_STOP = {"with", "and", "or", "the", "a", "an", "of", "in", "on", "for", "to", "at", "by", "from", "as", "is", "etc",
         "using", "regularly", "various", "other", "others", "including", "like", "such"}


def _skill_item(item: str, exclude: set[str]) -> bool:
    """A listed item that is not in the vocabulary is kept only if it reads like a skill's name."""
    words = item.split()
    if not 1 <= len(words) <= 4 or len(item) > 40 or item.lower() in exclude:
        return False
    if "@" in item or _URL.search(item) or sum(c.isdigit() for c in item) >= 3 or item.endswith(":"):
        return False
    if all(w.lower() in _STOP for w in words) or words[0].lower() in _STOP or words[-1].lower() in _STOP:
        return False
    if _is_place(item):
        return False
    return item[:1].isupper() or bool(re.search(r"[.+#/]", item))


_SKILL_TABLE_COLUMNS = {"skill", "skills", "version", "last used", "experience", "proficiency", "level", "rating",
                        "years", "years of experience", "exp", "exp."}


def parse_skills(section: list[str], running: str, exclude: set[str] | None = None, *, ocr: bool = False,
                 corrections: list[tuple[str, str]] | None = None) -> tuple[list[str], float]:
    """Skills listed in the skills section (vocabulary names, aliases made canonical; other items kept when
    they read like a skill), then vocabulary skills named in running text (summary, roles, projects) -- never
    that text's other words.

    ``ocr``: the text was read by OCR, so a listed item one OCR confusion away from a vocabulary term
    ("HTMLS5", "Pyth0n") is that term; each such (item, skill) is added to ``corrections``.
    """
    exclude = {e.lower() for e in (exclude or set()) if e}
    listed: list[str] = []
    joined: list[str] = []
    for raw in section:
        # a comma list wrapped mid-item ("..., Problem" / "Solving, SQL") is one line again
        if (joined and "," in joined[-1] and not _is_bullet(raw) and not re.match(r"\s*[A-Za-z /&-]{2,40}:", raw)
                and ("," in raw or joined[-1].rstrip().endswith(","))):
            joined[-1] = joined[-1].rstrip() + " " + raw.strip()
        else:
            joined.append(raw)
    skill_column: tuple[int, int] | None = None  # (the skill's column, the number of columns) of a skills table
    for raw in joined:
        line = _strip_bullet(raw)
        cells = [c.strip().lower() for c in re.split(r"\s*\|\s*|\s{3,}|\t+", line.strip()) if c.strip()]
        if len(cells) >= 2 and all(c in _SKILL_TABLE_COLUMNS for c in cells) and cells[0] in ("skill", "skills"):
            # "Skills   Version   Last Used   Experience" (Naukri's IT skills): a header, then rows
            skill_column = (0, len(cells))
            continue
        if skill_column is not None:
            row = [c.strip() for c in re.split(r"\s*\|\s*|\s{3,}|\t+", line.strip()) if c.strip()]
            if len(row) >= 2 and row[0] and any(ch.isdigit() for ch in " ".join(row[1:])):
                line = row[skill_column[0]]  # the skill's own cell; version, year and experience are not skills
            else:
                skill_column = None
        m = re.match(r"\s*[A-Za-z /&-]{2,40}:\s*(.+)$", line)
        if m:
            line = m.group(1)
        if "," in line:
            line = re.sub(r"\s{3,}", " ", line)  # a comma list: wide gaps are justified spaces, not separators
        for item in re.split(r"\s*[,;|•·▪]\s*|\s+-\s+|\s{3,}", line):
            item = item.strip(" .()")
            if not item:
                continue
            canon = vocab.normalise(item)
            if canon:
                listed.append(canon)
                continue
            found = vocab.extract(item)
            fixed = vocab.ocr_correction(item) if ocr and not found else None
            if found:
                listed.extend(found)
            elif fixed:
                listed.append(fixed)
                if corrections is not None:
                    corrections.append((item, fixed))
            elif _skill_item(item, exclude):
                listed.append(item)
    mentioned = vocab.extract(running)
    out = vocab.normalise_list(listed + mentioned)
    confidence = 0.9 if listed else (0.6 if mentioned else 0.0)
    return out, confidence


# ------------------------------------------------------------------------------------------------
# Indian resumes' personal details: notice period and CTC
# ------------------------------------------------------------------------------------------------
def _indian_terms(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    m = re.search(r"(?im)^\W*notice\s*period\s*[:\-]?\s*(immediate(?:ly)?|\d{1,3})\s*(days?|months?|weeks?)?", text)
    if m:
        if m.group(1).lower().startswith("immediate"):
            out["notice_period_days"] = 0
        else:
            n = int(m.group(1))
            unit = (m.group(2) or "days").lower()
            out["notice_period_days"] = n * (30 if unit.startswith("month") else 7 if unit.startswith("week") else 1)
    for key, label in (("current_ctc_lpa", r"current\s*ctc|ctc"), ("expected_ctc_lpa", r"expected\s*ctc|ectc")):
        m = re.search(rf"(?im)^\W*(?:{label})\s*[:\-]?\s*(?:inr|rs\.?|₹)?\s*(\d{{1,3}}(?:\.\d{{1,2}})?)\s*"
                      r"(lpa|lakhs?|l\b|lacs?)", text)
        if m:
            out[key] = float(m.group(1))
    return out


# ------------------------------------------------------------------------------------------------
# LinkedIn's own export ("More" > "Save to PDF")
# ------------------------------------------------------------------------------------------------
# Its layout: a sidebar (Contact, Top Skills, Languages, Certifications) read before the main column; the
# main column gives the name in the largest type, the headline and the place under it, then Summary,
# Experience and Education under headings of one size. A role is the employer (one size), the title (a size
# smaller), then "April 2021 - Present (4 years 3 months)", a place and the description in body type; several
# roles at one employer share its line, followed by their total time ("2 years 2 months"). A school is its
# name, then "Degree, Field · (2014 - 2018)". Every page ends "Page N of M".
_LI_DURATION = r"\((?:\d+\s+years?(?:\s+\d+\s+months?)?|\d+\s+months?|less than a year)\)"
_LI_DATES = re.compile(rf"^\s*(?P<range>.+?)\s*{_LI_DURATION}\s*$", re.I)
_LI_TOTAL = re.compile(r"^\s*(?:\d+\s+years?(?:\s+\d+\s+months?)?|\d+\s+months?|less than a year)\s*$", re.I)
_PAGE_FOOTER = re.compile(r"^\s*page\s+\d+\s+of\s+\d+\s*$", re.I)


def _linkedin_export(lines: list[str], sizes: list[float | None] | None) -> bool:
    """LinkedIn's export: its "(LinkedIn)" label, its sidebar and its dated roles, with the type sizes a PDF gives."""
    if not sizes or not any(sizes):
        return False
    labelled = any(re.search(r"\(LinkedIn\)\s*$", ln) for ln in lines[:40])
    sidebar = any(ln.strip().lower() in ("top skills", "contact") for ln in lines[:40])
    return labelled and sidebar and any(_li_dates(ln) for ln in lines)


def _section_at(lines: list[str], sizes: list[float | None], name: str) -> tuple[int, int] | None:
    """(first line, end) of the main column's section ``name``: under its heading, up to the next heading of
    that size."""
    start = next((i for i, ln in enumerate(lines) if ln.strip().lower() == name), None)
    if start is None:
        return None
    size = sizes[start]
    end = next((j for j in range(start + 1, len(lines)) if sizes[j] == size and _heading_of(lines[j])), len(lines))
    return start + 1, end


def _li_place(line: str) -> bool:
    """A role's or the header's place line ("San Francisco Bay Area", "Bengaluru, Karnataka, India", "UAE"),
    not a sentence of the description that names a city."""
    text = line.strip()
    if (not text or len(text) > 50 or len(text.split()) > 7 or re.search(r"[\d()]", text) or text.endswith(".")
            or _INSTITUTION.search(text)):
        return False
    return bool(_is_place(text) or country_of(text) or _city_in(text)
                or re.fullmatch(r"(?:greater\s+)?[A-Z][\w .'-]{1,40}\s+(?:bay\s+)?area(?:,.*)?", text, re.I))


def _li_dates(line: str) -> _Dates | None:
    """The dates of LinkedIn's "April 2021 - Present (4 years 3 months)" line, or None."""
    m = _LI_DATES.match(line)
    return role_dates(m["range"]) if m else None


def _linkedin_roles(lines: list[str], sizes: list[float | None]) -> list[dict[str, Any]]:
    dated = [(i, d) for i, ln in enumerate(lines) if (d := _li_dates(ln)) is not None]
    if not dated:
        return []
    body = sizes[dated[0][0]] or 0.0
    roles: list[dict[str, Any]] = []
    starts: list[int] = []  # where each role's header begins
    text_from: list[int] = []  # where each role's description begins
    employer = ""
    floor = 0  # the first line the next role's header may take
    for i, d in dated:
        j = i - 1
        title_size = sizes[j] if j >= floor else None
        if title_size is None or title_size <= body:
            continue
        title: list[str] = []
        while j >= floor and sizes[j] == title_size and len(title) < 3:
            title.insert(0, lines[j].strip())
            j -= 1
        if j >= floor and sizes[j] == body and _LI_TOTAL.match(lines[j]):
            j -= 1  # the total time at an employer with several roles
        company: list[str] = []
        while j >= floor and (sizes[j] or 0.0) > title_size and len(company) < 3:
            company.insert(0, lines[j].strip())
            j -= 1
        if company:
            employer = " ".join(company)
        if not employer:
            continue
        place = lines[i + 1].strip() if i + 1 < len(lines) and sizes[i + 1] == body and _li_place(lines[i + 1]) else None
        roles.append({"employer": employer, "title": " ".join(title), "start": d.start, "end": d.end,
                      "location": place, "bullets": [], "guessed": ["dates"] if d.guessed else []})
        starts.append(j + 1)
        text_from.append(i + (2 if place else 1))
        floor = i + 1
    for k, role in enumerate(roles):
        stop = starts[k + 1] if k + 1 < len(roles) else len(lines)
        for ln in lines[text_from[k]:stop]:
            if ln.strip():
                _add_text(role["bullets"], ln.strip())  # a sentence wrapped by the page's width goes on
        role["bullets"] = [b for b in role["bullets"] if b]
    return roles


def _linkedin_schools(lines: list[str], sizes: list[float | None]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    known = [x for x in sizes if x]
    if not known:
        return entries
    top = max(known)
    i = 0
    while i < len(lines):
        if sizes[i] != top or not lines[i].strip():
            i += 1
            continue
        name = [lines[i].strip()]
        i += 1
        while i < len(lines) and sizes[i] == top:
            name.append(lines[i].strip())
            i += 1
        detail: list[str] = []
        while i < len(lines) and sizes[i] != top:
            detail.append(lines[i].strip())
            i += 1
        text = " ".join(detail)
        entry: dict[str, Any] = {"institution": " ".join(name), "degree": None, "field": None, "start": None,
                                 "end": None}
        m = re.match(r"^(?P<what>.*?)\s*·?\s*\((?P<when>[^()]*\d{4}[^()]*)\)\s*$", text)
        what = m["what"] if m else text
        if m:
            _set_years(entry, m["when"])
        parts = [x.strip() for x in what.split(",", 1)]
        if parts and parts[0]:
            # "Master of Business Administration - MBA": the degree's name, its short form after the dash
            entry["degree"] = re.split(r"\s+-\s+", parts[0])[0].strip()
        if len(parts) > 1 and parts[1]:
            entry["field"] = parts[1]
        entries.append(entry)
    return entries


def _linkedin_header(lines: list[str], sizes: list[float | None], name_idx: list[int]) -> tuple[str | None, list[int]]:
    """(the place under the name and the headline, the header's line numbers after the name): the last line
    of the main column's header is the place. The header is no part of the sidebar section read before it."""
    if not name_idx or name_idx[-1] + 1 >= len(lines):
        return None, []
    block: list[int] = []
    for j in range(name_idx[-1] + 1, min(len(lines), name_idx[-1] + 6)):
        if _heading_of(lines[j]) or (sizes[j] or 0) != (sizes[name_idx[-1] + 1] or 0):
            break
        block.append(j)
    place = lines[block[-1]].strip() if len(block) >= 2 and _li_place(lines[block[-1]]) else None
    return place, block


# ------------------------------------------------------------------------------------------------
# Everything
# ------------------------------------------------------------------------------------------------
#: Below this, a field is shown to the operator to confirm before the profile is used to apply.
CONFIRM_BELOW = 0.8


def parse_lines(lines: list[str], today: date | None = None,
                sizes: list[float | None] | None = None, *, ocr: bool = False) -> dict[str, Any]:
    """Profile-shaped dict from resume lines (see ``docs/candidates-and-documents.md`` "Resume parsing").

    ``sizes`` (the font size of each line, where the file gives one) lets the name be found by its size.
    ``ocr``: the lines were read from a scan by OCR (skills one OCR confusion off the vocabulary are
    corrected, and listed under ``ocr_corrections``).
    """
    if sizes is not None and len(sizes) != len(lines):
        sizes = None
    # "Page 1 of 2" is the page's, not the resume's
    keep = [i for i, ln in enumerate(lines) if not _PAGE_FOOTER.match(ln)]
    lines = [lines[i] for i in keep]
    sizes = [sizes[i] for i in keep] if sizes is not None else None
    head0, _ = split_sections(lines)
    name, name_idx, name_conf = _find_name(lines, sizes, len(head0))
    linkedin = _linkedin_export(lines, sizes)
    li_roles: list[dict[str, Any]] = []
    li_schools: list[dict[str, Any]] = []
    li_place = None
    li_header: list[int] = []
    if linkedin and sizes is not None:
        li_place, li_header = _linkedin_header(lines, sizes, name_idx)
        span = _section_at(lines, sizes, "experience")
        if span:
            li_roles = _linkedin_roles(lines[span[0]:span[1]], sizes[span[0]:span[1]])
        span = _section_at(lines, sizes, "education")
        if span:
            li_schools = _linkedin_schools(lines[span[0]:span[1]], sizes[span[0]:span[1]])
    if name_idx and name_idx[0] >= len(head0):
        # a name printed inside the body (a sidebar's foot): it is not part of the section it stands in (nor
        # are the headline and the place under it in LinkedIn's export)
        drop = set(name_idx) | set(li_header)
        lines = [ln for i, ln in enumerate(lines) if i not in drop]
    text = "\n".join(lines)
    head, sections = split_sections(lines)
    contact = head[:12] + sections.get("contact", [])
    conf: dict[str, float] = {"name": name_conf}
    first, last = _split_name(name) if name else (None, None)

    emails = _EMAIL.findall("\n".join(contact)) or _EMAIL.findall(text)
    conf["email"] = (0.99 if _EMAIL.findall("\n".join(contact)) else 0.85) if emails else 0.0
    location, conf["location"] = (li_place, 0.85) if li_place else _location(contact)
    country = country_of(location) or country_of("\n".join(contact))
    phone, conf["phone"] = _phone("\n".join(contact), country)
    if phone is None and not linkedin:  # LinkedIn's export gives a phone in its Contact box or nowhere
        phone, conf["phone"] = _phone(text, country)
        conf["phone"] = min(conf["phone"], 0.8)
    links = _links(text, emails)
    conf["links"] = 0.95 if links else 0.0

    summary_lines = sections.get("summary") or []
    summary = " ".join(_strip_bullet(x) for x in summary_lines).strip() or None
    conf["summary"] = 0.9 if summary else 0.0

    exp_lines = sections.get("experience", [])
    dated = [ln for ln in exp_lines if role_dates(ln)]
    # every dated line of the section is a sentence ("Working as X in Y, Pune from Jun 2019 to till date"):
    # its roles are read from the sentences, never from the order of their words
    told = bool(dated) and not li_roles and all(len(ln) <= _SENTENCE_MAX and _PROSE_ROLE.search(_strip_bullet(ln))
                                                for ln in dated)
    experience = prose_roles(exp_lines) if told else (li_roles or parse_experience(exp_lines))
    if experience and told:
        conf["experience"] = 0.7  # read from sentences: a person confirms them before they are used to apply
    elif experience:
        # a role whose employer, title or dates are missing or were guessed says so: the field is below the
        # threshold, so a person confirms it before the profile is used to apply
        complete = sum(1 for e in experience if e["employer"] and e["title"] and e["start"])
        conf["experience"] = round(0.5 + 0.45 * complete / len(experience), 2)
        if complete < len(experience) or any(e["guessed"] for e in experience):
            conf["experience"] = min(conf["experience"], 0.7)
    else:
        # no role set out as one: the roles a sentence tells (the summary's "working with X as Y since Z"),
        # for a person to confirm before they are used to apply
        experience = prose_roles(sections.get("experience", []) + summary_lines)
        conf["experience"] = 0.7 if experience else 0.0
    education = li_schools or parse_education(sections.get("education", []))
    conf["education"] = (0.85 if all(e["institution"] and e["degree"] for e in education) else 0.6) if education else 0.0
    running = "\n".join(sections.get("summary", []) + sections.get("experience", []) + sections.get("projects", [])
                        + sections.get("certifications", []))
    exclude = {name or "", location or "", first or "", last or ""} | set(emails)
    corrections: list[tuple[str, str]] = []
    skills, conf["skills"] = parse_skills(sections.get("skills", []), running, exclude, ocr=ocr,
                                          corrections=corrections)
    if corrections:
        conf["skills"] = min(conf["skills"], 0.75)  # a skill corrected from an OCR misreading is a guess

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
    work.update(_indian_terms(text))
    found = {"name": name, "email": emails, "phone": phone, "location": location, "experience": experience,
             "education": education, "skills": skills}
    out: dict[str, Any] = {
        "identity": {"first_name": first, "last_name": last, "email": emails[0] if emails else None,
                     "phone": phone, "location": location},
        "links": links,
        "summary": summary,
        "experience": experience,
        "education": education,
        "skills": skills,
        "work": work,
        "confidence": conf,
        # fields found but not sure enough to apply with: the console asks the operator to confirm them
        "to_confirm": sorted(k for k, v in found.items() if v and conf.get(k, 0.0) < CONFIRM_BELOW),
    }
    if corrections:
        out["ocr_corrections"] = [{"read": read, "skill": skill} for read, skill in corrections]
    return out


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
        "to_confirm": profile.get("to_confirm") or [],
    }
