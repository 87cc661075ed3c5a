"""The fabrication check: a generated document may state only facts found in the candidate's profile.

Every tailored resume, cover letter and interview sheet is checked, as text and again as the DOCX/PDF file
actually written. The checks, each against the profile (plus the few phrases a document may quote from
the job: its title and the company name):

* **skills**: every vocabulary skill mentioned (``core.candidates.skills``) is one the profile has;
* **numbers**: every number (``40%``, ``2M``, ``120``) appears in the profile;
* **dates**: every month-year ("Jan 2021", "2021-01") and year is one of the profile's;
* **titles**: every job-title phrase ("Staff Engineer", "Head of Data") is one of the profile's titles;
* **employers**: every organisation named after "at", "with", "for", "joined", "from" ("at Google") is one
  of the profile's employers or institutions;
* **contact details**: emails, links and phone numbers are the candidate's own.

It is deliberately strict: a false alarm costs a regenerated document, a missed invention costs the
candidate's credibility. A failure is a :class:`FabricationError` (a ``PermanentError``) naming the fact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers

from core.candidates import skills as vocab
from core.errors import PermanentError


class FabricationError(PermanentError):
    """A generated document states a fact that is not in the candidate's profile."""

    def __init__(self, message: str, violations: list[Violation]) -> None:
        super().__init__(message)
        self.violations = violations


@dataclass(frozen=True)
class Violation:
    kind: str  # skill | number | date | title | employer | email | link | phone
    value: str

    def __str__(self) -> str:
        return f"{self.kind} '{self.value}'"


_TITLE_HEADS = ("Engineer", "Developer", "Manager", "Lead", "Architect", "Analyst", "Scientist", "Designer",
                "Consultant", "Director", "Intern", "Head", "Officer", "Specialist", "Administrator", "Programmer",
                "Founder", "Co-founder", "CTO", "CEO", "CFO", "VP", "President", "Researcher", "Tester", "SDE",
                "Staff", "Associate", "Executive", "Fellow", "Trainee", "Strategist", "Coordinator")
_LEADING_NOISE = {"as", "a", "an", "the", "i", "my", "our", "your", "his", "her", "their", "dear", "and", "or", "with",
                  "for", "at", "to", "of", "in", "on", "was", "am", "is", "be", "being", "worked", "working",
                  "currently", "previously", "former", "role", "position", "this", "that", "its", "it's", "hiring",
                  "from", "by", "also", "then", "now", "while", "where", "when", "since", "after", "before"}
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|" \
         r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), 1)}
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_URL = re.compile(r"(?:https?://|www\.)[^\s|,;<>()\"']+|(?<![\w@.])(?:[a-z]{2,3}\.)?"
                  r"(?:linkedin\.com|github\.com|gitlab\.com)/[^\s|,;<>()\"']*", re.I)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?|(?<=[A-Za-z])\d+(?:\.\d+)?")
_CAP = r"[A-Z][\w&'+#.-]*"
_ORG_CONTEXT = re.compile(
    rf"\b(?:at|with|for|joined|from|by|in)\s+((?:{_CAP})(?:\s+(?:&\s+)?(?:{_CAP}|of|and|&))*)")
_WORD_ORDINARY = {"I", "The", "A", "An", "My", "Our", "Your", "We", "You", "Dear", "Team", "Hiring", "Thank",
                  "Sincerely", "Regards", "Best", "Yours", "Skills", "Summary", "Experience", "Education", "Role",
                  "Present", "Relevant", "Highlights", "Interview", "Questions", "Company", "Job", "Resume",
                  "Cover", "Letter", "Notice", "Contact", "Links", "Profile", "Gaps", "Why", "What", "How", "Tell",
                  "Walk", "Describe", "Prepare", "Evidence", "Behavioural", "Behavioral", "About", "Manager",
                  "Hiring Manager", "Recruiter", "Recruiting"}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w&+#. ]", " ", text.lower())).strip(" .")


def _num(text: str) -> str:
    t = text.replace(",", "")
    if "." in t:
        t = t.rstrip("0").rstrip(".")
    return t.lstrip("0") or "0"


@dataclass
class Facts:
    """What a document about this candidate may say."""

    employers: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    skills: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    month_years: set[str] = field(default_factory=set)  # "2021-01"
    emails: set[str] = field(default_factory=set)
    links: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    corpus: str = ""  # the whole profile as normalised text, for phrase look-ups
    allowed: list[str] = field(default_factory=list)  # phrases quoted from the job (title, company)


def facts_of(profile: dict[str, Any], *, allowed: Iterable[str] = ()) -> Facts:
    f = Facts()
    ident = profile.get("identity") or {}
    work = profile.get("work") or {}
    for e in profile.get("experience") or []:
        if e.get("employer"):
            f.employers.add(_norm(e["employer"]))
        if e.get("title"):
            f.titles.add(_norm(e["title"]))
        for d in (e.get("start"), e.get("end")):
            if d and re.fullmatch(r"\d{4}-\d{2}", str(d)):
                f.month_years.add(str(d))
    for e in profile.get("education") or []:
        if e.get("institution"):
            f.employers.add(_norm(e["institution"]))
    for key in ("current_company",):
        if work.get(key):
            f.employers.add(_norm(str(work[key])))
    if work.get("current_title"):
        f.titles.add(_norm(str(work["current_title"])))
    profile_text = json.dumps(_without_contact(profile), ensure_ascii=False, default=str)
    f.skills = set(vocab.normalise_list(list(profile.get("skills") or []) + list(profile.get("skills_years") or {})))
    f.skills.update(vocab.extract(profile_text))
    for m in re.finditer(r"\b((?:19|20)\d{2})-(\d{2})\b", profile_text):
        f.month_years.add(f"{m.group(1)}-{m.group(2)}")
    # A month ("2020-12") is a date, not the number 12: only its year counts as a number.
    numeric_text = re.sub(r"\b((?:19|20)\d{2})-\d{2}\b", r"\1", profile_text)
    for m in _NUMBER.finditer(numeric_text):
        f.numbers.add(_num(m.group(0)))
        if "." in m.group(0):  # "6.5 years" may be written "6+ years"
            f.numbers.add(str(int(float(m.group(0).replace(",", "")))))
    if ident.get("email"):
        f.emails.add(str(ident["email"]).lower())
    for v in (profile.get("links") or {}).values():
        for url in (v if isinstance(v, list) else [v]):
            if isinstance(url, str) and url:
                f.links.add(_link_key(url))
    if ident.get("phone"):
        p = _e164(str(ident["phone"]))
        if p:
            f.phones.add(p)
    f.corpus = " " + _norm(profile_text.replace("\\n", " ")) + " "
    f.allowed = [a for a in (x.strip() for x in allowed) if a]
    return f


def _without_contact(profile: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in profile.items() if k not in ("links", "confidence", "resume")}
    out["identity"] = {k: v for k, v in (profile.get("identity") or {}).items() if k not in ("email", "phone")}
    return out


def _link_key(url: str) -> str:
    return re.sub(r"^(https?://)?(www\.)?", "", url.strip().lower()).rstrip("/")


def _e164(text: str) -> str | None:
    try:
        num = phonenumbers.parse(text, "IN")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164) if phonenumbers.is_valid_number(num) else None


# ------------------------------------------------------------------------------------------------
# Checking
# ------------------------------------------------------------------------------------------------
def find_unsupported(text: str, facts: Facts) -> list[Violation]:
    """Every fact in ``text`` the profile does not support (empty list: the document is clean)."""
    out: list[Violation] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str) -> None:
        if (kind, value) not in seen:
            seen.add((kind, value))
            out.append(Violation(kind, value))

    # Contact details first, then remove them so their digits are not read as numbers.
    for m in _EMAIL.finditer(text):
        if m.group(0).lower() not in facts.emails:
            add("email", m.group(0))
    text = _EMAIL.sub(" ", text)
    for m in _URL.finditer(text):
        if _link_key(m.group(0).rstrip(".,;:")) not in facts.links:
            add("link", m.group(0))
    text = _URL.sub(" ", text)
    for match in phonenumbers.PhoneNumberMatcher(text, "IN", leniency=phonenumbers.Leniency.VALID):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if e164 not in facts.phones:
            add("phone", match.raw_string)
        text = text.replace(match.raw_string, " ")
    # Phrases quoted from the job are allowed as they are; take them out before looking further.
    # (Whitespace is collapsed first: a PDF may wrap "Senior Backend Engineer" across two lines.)
    text = re.sub(r"\s+", " ", text)
    for phrase in sorted(facts.allowed, key=len, reverse=True):
        pattern = r"\s+".join(re.escape(w) for w in phrase.split())
        text = re.sub(pattern, " ", text, flags=re.I)

    for skill in vocab.extract(text):
        if skill not in facts.skills:
            add("skill", skill)

    for m in re.finditer(rf"\b({_MONTH})\.?\s*,?\s*((?:19|20)\d{{2}})\b", text):
        key = f"{m.group(2)}-{_MONTHS[m.group(1)[:3].lower()]:02d}"
        if key not in facts.month_years:
            add("date", m.group(0))
    for m in re.finditer(r"\b((?:19|20)\d{2})-(\d{2})\b", text):
        if f"{m.group(1)}-{m.group(2)}" not in facts.month_years:
            add("date", m.group(0))
    text = re.sub(r"\b((?:19|20)\d{2})-\d{2}\b", r"\1", text)
    text = re.sub(rf"\b{_MONTH}\.?\s*,?\s*((?:19|20)\d{{2}})\b", r" \1", text)
    for m in _NUMBER.finditer(text):
        value = _num(m.group(0))
        if value not in facts.numbers:
            kind = "date" if re.fullmatch(r"(?:19|20)\d{2}", value) else "number"
            add(kind, m.group(0))

    heads = "|".join(re.escape(h) for h in _TITLE_HEADS)
    for m in re.finditer(rf"((?:{_CAP}\s+){{0,4}}(?:{heads}))(?:\s+(?:of|for)\s+({_CAP}(?:\s+{_CAP}){{0,2}}))?\b", text):
        words = m.group(1).split()
        while words and words[0].lower() in _LEADING_NOISE:
            words = words[1:]
        of_part = (m.group(2) or "").split()
        while of_part and of_part[-1].lower() in _LEADING_NOISE:
            of_part.pop()
        phrase = " ".join(words + (["of", *of_part] if of_part and words and words[-1] == "Head" else []))
        if len(words) < 2 and not m.group(2):
            continue  # a bare "Engineer" / "Lead" says nothing checkable
        if not _supported(phrase, facts.titles, facts):
            add("title", phrase)

    for m in _ORG_CONTEXT.finditer(text):
        captured = re.split(r"\.\s|\.$", m.group(1))[0]  # a sentence ends the name
        for name in re.split(r"\s+and\s+", captured):
            name = re.sub(r"\s+(?:of|&)$", "", name.strip(" .,&"))
            if not name or name in _WORD_ORDINARY or re.fullmatch(rf"{_MONTH}", name):
                continue
            if _only_skills(name):
                continue  # "with Python": a skill, checked above
            if not _supported(name, facts.employers, facts):
                add("employer", name)
    return out


def _only_skills(name: str) -> bool:
    rest = name
    for start, end, _ in sorted(vocab.mentions(name), reverse=True):
        rest = rest[:start] + " " + rest[end:]
    return bool(vocab.extract(name)) and not re.sub(r"[\s,&/]+", "", rest)


def _supported(phrase: str, known: set[str], facts: Facts) -> bool:
    key = _norm(phrase)
    if not key:
        return True
    if key in known or any(key in k or k in key for k in known if len(k) >= 3 and _word_sub(k, key)):
        return True
    return f" {key} " in facts.corpus


def _word_sub(a: str, b: str) -> bool:
    """Whether one of a, b appears inside the other on word boundaries."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return re.search(rf"(?<!\w){re.escape(short)}(?!\w)", long) is not None


def check(text: str, profile: dict[str, Any], *, allowed: Iterable[str] = (), what: str = "document") -> None:
    """Raise :class:`FabricationError` naming the first unsupported fact in ``text``."""
    violations = find_unsupported(text, facts_of(profile, allowed=allowed))
    if violations:
        listed = ", ".join(str(v) for v in violations[:5])
        raise FabricationError(f"fabrication check failed for the {what}: {listed} not in the candidate's profile",
                               violations)


def document_text(path: str | Path) -> str:
    """The text of a written document (TXT/MD, DOCX or PDF), as a reader of the file would see it."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".docx":
        import docx

        d = docx.Document(str(p))
        parts = [para.text for para in d.paragraphs]
        for table in d.tables:
            for row in table.rows:
                parts.extend(cell.text for cell in row.cells)
        return "\n".join(parts)
    if suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(str(p)).pages)
    return p.read_text(encoding="utf-8")


def check_file(path: str | Path, profile: dict[str, Any], *, allowed: Iterable[str] = (),
               what: str | None = None) -> None:
    """The check on a written file (what was really produced, not what was meant to be)."""
    check(document_text(path), profile, allowed=allowed, what=what or Path(path).name)
