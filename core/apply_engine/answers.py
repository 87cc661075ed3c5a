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

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from core.apply_engine.forms import FormField

#: Confidence of an operator's edit and of a fact copied verbatim from the profile.
CERTAIN = 1.0

_DECLINE = re.compile(r"decline|prefer not|don.?t wish|do not wish|not (to )?(answer|disclose|say|specify)|"
                      r"rather not|choose not|not wish|i don.?t want", re.I)
_YES = re.compile(r"^(yes|y|true|i am\b|i do\b|i will\b|i have\b|i can\b|authori[sz]ed|agree|i agree)", re.I)
_NO = re.compile(r"^(no|n|false|i am not|i do not|i don.?t|i will not|i won.?t|i have not|not\b|none)", re.I)
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
    source: str | None = None  # profile key, document, answer bank, policy, operator
    confidence: float = 0.0
    note: str = ""  # why it is empty, for the person who has to decide
    declaration: bool = False
    key: str = ""
    field: FormField | None = None

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
# Option matching
# --------------------------------------------------------------------------------------------------
def _n(text: Any) -> str:
    return re.sub(r"[^a-z0-9+]+", " ", str(text).lower()).strip()


def _days(text: str) -> float | None:
    t = text.lower()
    if re.search(r"immediate|right away|now|asap", t):
        return 0.0
    m = re.search(r"(\d+(?:\.\d+)?)\s*(day|week|month)", t)
    if not m:
        return None
    n = float(m.group(1))
    return n * {"day": 1, "week": 7, "month": 30}[m.group(2)]


def _range_of(text: str) -> tuple[float, float] | None:
    t = text.lower()
    if m := re.search(r"(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)", t):
        return float(m.group(1)), float(m.group(2))
    if m := re.search(r"(\d+(?:\.\d+)?)\s*\+|(?:more than|over|at least|above)\s*(\d+(?:\.\d+)?)", t):
        return float(m.group(1) or m.group(2)), float("inf")
    if m := re.search(r"(?:less than|under|below|fewer than)\s*(\d+(?:\.\d+)?)", t):
        return 0.0, float(m.group(1)) - 1e-9
    if m := re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(years?|yrs?)?\s*", t):
        return float(m.group(1)), float(m.group(1))
    return None


def best_option(value: Any, options: list[str]) -> str | None:
    """The option that says ``value``: exact, then yes/no, numbers in ranges, then close text. None if none."""
    if not options:
        return None
    if isinstance(value, bool):
        pattern = _YES if value else _NO
        hits = [o for o in options if pattern.search(o.strip())]
        return hits[0] if hits else None
    text = _n(value)
    if not text:
        return None
    for o in options:
        if _n(o) == text:
            return o
    if text in ("yes", "no"):
        return best_option(text == "yes", options)
    if isinstance(value, (int, float)) or re.fullmatch(r"\d+(\.\d+)?", text):
        num = float(value) if isinstance(value, (int, float)) else float(text)
        for o in options:
            r = _range_of(o)
            if r and r[0] <= num <= r[1]:
                return o
        return None
    starts = [o for o in options if _n(o).startswith(text) or text.startswith(_n(o))]
    if len(starts) == 1:
        return starts[0]
    contains = [o for o in options if text in _n(o)]
    if len(contains) == 1:
        return contains[0]
    scored = sorted(((SequenceMatcher(None, text, _n(o)).ratio(), o) for o in options), reverse=True)
    if scored and scored[0][0] >= 0.8:
        return scored[0][1]
    return None


def decline_option(options: list[str]) -> str | None:
    hits = [o for o in options if _DECLINE.search(o)]
    return hits[0] if hits else None


def _similar(a: str, b: str) -> float:
    a, b = _n(a), _n(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ta, tb = set(a.split()), set(b.split())
    jacc = len(ta & tb) / len(ta | tb)
    return max(SequenceMatcher(None, a, b).ratio(), jacc)


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
    return f"{x:g}"


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


def _rule(f: FormField, facts: _Facts, docs: Documents) -> tuple[Any, str | None, float, str]:
    """(value, source, confidence, note) from the profile for one field, or value None with a note."""
    text = f"{f.label} {f.name}".strip()
    low = text.lower()
    label = f.label.lower()
    ident, links, work = facts.ident, facts.links, facts.work

    def fact(value: Any, source: str, conf: float = CERTAIN) -> tuple[Any, str | None, float, str]:
        if value in (None, "", []):
            return None, None, 0.0, f"profile has no {source}"
        return value, source, conf, ""

    # Files.
    if f.type == "file":
        if re.search(r"cover", low):
            return fact(str(docs.cover_letter) if docs.cover_letter else None, docs.cover_source)
        if re.search(r"resume|résumé|\bcv\b|curriculum", low) or f.role == "resume":
            return fact(str(docs.resume) if docs.resume else None, docs.resume_source)
        return None, None, 0.0, "no document for this upload"
    # Cover letter as text.
    if re.search(r"cover letter", low) and f.type in ("textarea", "text"):
        return fact(docs.cover_letter_text, docs.cover_source)
    # Identity.
    if re.search(r"first.?name|given.?name|forename", low) and "preferred" not in label:
        return fact(ident.get("first_name"), "identity.first_name")
    if re.search(r"preferred.?(first.?)?name", low):
        return fact(ident.get("preferred_name") or ident.get("first_name"),
                    "identity.preferred_name" if ident.get("preferred_name") else "identity.first_name",
                    CERTAIN if ident.get("preferred_name") else 0.9)
    if re.search(r"last.?name|family.?name|surname", low):
        return fact(ident.get("last_name"), "identity.last_name")
    if f.role == "full_name" or re.search(r"^(full |legal |your )?name\b|full.?name|\bname$", label) \
            or (not label and f.name in ("name", "full_name", "_systemfield_name")):
        full = " ".join(p for p in (ident.get("first_name"), ident.get("last_name")) if p)
        return fact(full, "identity.first_name+last_name")
    if re.search(r"e-?mail", low) and f.type != "checkbox":
        return fact(ident.get("email"), "identity.email")
    if re.search(r"phone|mobile|cell|telephone|contact number", low) and f.type != "checkbox":
        return fact(ident.get("phone"), "identity.phone")
    # Links.
    for key in ("linkedin", "github", "twitter", "gitlab", "stackoverflow", "dribbble", "behance"):
        if key in low.replace(" ", ""):
            return fact(links.get(key), f"links.{key}")
    if re.search(r"portfolio|website|personal (site|url|page)|blog|other link", low):
        key = "portfolio" if links.get("portfolio") else "website"
        return fact(links.get(key), f"links.{key}")
    # Demographic and EEO: only what the candidate set, else the form's decline option, else blank.
    for key, pattern in _EEO.items():
        if pattern.search(label or low):
            eeo = facts.eeo or {}
            chosen = next((v for k, v in eeo.items() if k.lower().startswith(key[:5])), None)
            if chosen:
                return chosen, f"eeo.{key}", CERTAIN, ""
            if f.type in CHOICES:
                dec = decline_option(f.options)
                if dec:
                    return dec, "policy:decline", CERTAIN, ""
            return None, None, 0.0, "demographic question left blank (candidate did not set it)"
    # Money: optional unless the candidate set it.
    if re.search(r"salary|ctc|compensation|pay expectation|remuneration|\bpay\b", low):
        bare = f.type == "number" or "lpa" in low  # the unit is in the question: the number alone
        if re.search(r"current|present|existing", low):
            value = work.get("current_ctc_lpa")
            return (None, None, 0.0, "salary left blank (candidate did not set it)") if value is None else \
                (_fmt_number(value) if bare else f"{_fmt_number(value)} LPA", "work.current_ctc_lpa", CERTAIN, "")
        value = work.get("expected_ctc_lpa")
        return (None, None, 0.0, "salary left blank (candidate did not set it)") if value is None else \
            (_fmt_number(value) if bare else f"{_fmt_number(value)} LPA", "work.expected_ctc_lpa", CERTAIN, "")
    # Work facts.
    if re.search(r"sponsor", low):
        return fact(work.get("needs_sponsorship"), "work.needs_sponsorship")
    if re.search(r"authori[sz]ed to work|eligible to work|legally (able|allowed|permitted|entitled)|right to work|work permit|work authori[sz]ation", low):
        return fact(work.get("authorized_to_work"), "work.authorized_to_work")
    if re.search(r"notice period|how soon|earliest (start|joining)|available to (start|join)|start date|joining time", low):
        days = work.get("notice_period_days")
        if days is None:
            return None, None, 0.0, "profile has no work.notice_period_days"
        if f.type in CHOICES:
            scored = [(abs((_days(o) if _days(o) is not None else 1e9) - days), o) for o in f.options]
            scored.sort()
            if scored and scored[0][0] < 1e8:
                return scored[0][1], "work.notice_period_days", CERTAIN if scored[0][0] == 0 else 0.8, ""
            return None, None, 0.0, f"no option matches a {days}-day notice period"
        return ("Immediately" if days == 0 else f"{days} days"), "work.notice_period_days", CERTAIN, ""
    if re.search(r"relocat", low):
        targets = [str(t) for t in work.get("relocate_to") or []]
        if not targets:
            return None, None, 0.0, "profile has no work.relocate_to"
        if any(t.lower() in low for t in targets):
            return True, "work.relocate_to", CERTAIN, ""
        return True, "work.relocate_to", 0.8, ""
    if re.search(r"qualification|highest (degree|education)|education level|degree", low):
        degrees = [e.get("degree") for e in facts.p.get("education") or [] if isinstance(e, dict) and e.get("degree")]
        if not degrees:
            return None, None, 0.0, "profile has no education degree"
        return degrees[0], "education[0].degree", 0.9, ""
    if re.search(r"years", low) and re.search(r"experience|worked|using|with", low):
        skill = _skill_in(text, facts.skills_years)
        if skill is not None:
            return facts.skills_years[skill], f"skills_years.{skill}", 0.95, ""
        if re.search(r"\b(total|overall|professional|relevant|work|industry)\b|^how many years of experience|years of experience( do you have)?\??$", label):
            return fact(work.get("years_experience"), "work.years_experience", 0.9)
        return None, None, 0.0, "no years of experience recorded for this skill"
    if re.search(r"current (company|employer)|^(company|employer|organi[sz]ation)$|\borg\b|present employer", low):
        return fact(work.get("current_company"), "work.current_company")
    if re.search(r"current (job )?(title|role|position|designation)|^title$|job title", low):
        return fact(work.get("current_title"), "work.current_title")
    if re.search(r"\bremote\b", low):
        return fact(facts.prefs.get("remote"), "preferences.remote", 0.9)
    if re.search(r"\b(location|city|where are you (based|located)|current address|based in)\b", low):
        return fact(ident.get("location"), "identity.location", 0.95)
    return None, None, 0.0, "no fact in the profile answers this question"


CHOICES = ("select", "radio", "combobox", "checkboxes")


def _shape(f: FormField, value: Any, source: str, confidence: float) -> tuple[Any, str | None, float, str]:
    """Turn a raw fact into what the control takes (an option's text, a bool, a string)."""
    if value is None:
        return None, None, 0.0, ""
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
                edits: dict[str, Any] | None = None, min_confidence: float = 0.7) -> AnswerSheet:
    """Answer every field from the profile; apply an operator's edits (by field name or label) last."""
    docs = docs or Documents()
    facts = _Facts(profile)
    edits = {str(k): v for k, v in (edits or {}).items()}
    edit_by_norm = {_n(k): v for k, v in edits.items()}
    sheet = AnswerSheet(min_confidence=min_confidence)
    declarations: list[Answer] = []
    for f in fields:
        if f.role == "decoy":
            continue
        ans = Answer(label=f.label, name=f.name, type=f.type, required=f.required, key=f.key, field=f)
        edited = _edit_for(f, edits, edit_by_norm)
        if edited is not _MISSING:
            value, source, conf, note = _shape(f, edited, "operator", CERTAIN)
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
        if value is not None and source is not None:
            value, source, conf, shape_note = _shape(f, value, source, conf)
            note = shape_note or note
        ans.value, ans.source, ans.confidence, ans.note = value, source, conf, note
        sheet.answers.append(ans)
    _decide_declarations(sheet, declarations)
    return sheet


_MISSING = object()


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
