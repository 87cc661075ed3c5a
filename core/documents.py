"""What the document agents share: the application's facts, job skills, relevance, rendering and saving.

A document is built once as a small structure (:class:`Doc`: headings, paragraphs, bullets) and rendered
three ways from it: plain text, DOCX (python-docx) and PDF (reportlab). The fabrication check then runs on
the text *and* on what each written file really contains.
"""

from __future__ import annotations

import difflib
import html
import io
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb

from core import skills as vocab
from core.errors import PermanentError

REQUIRED_WEIGHT = 3.0
NICE_WEIGHT = 1.5


# ------------------------------------------------------------------------------------------------
# The application's facts
# ------------------------------------------------------------------------------------------------
@dataclass
class AppContext:
    application: dict[str, Any]
    job: dict[str, Any]
    profile: dict[str, Any]
    required: list[str]
    nice: list[str]
    skills_source: str  # "parsed" | "description"

    @property
    def application_id(self) -> int:
        return int(self.application["id"])

    @property
    def company(self) -> str:
        return (self.job.get("company") or "").strip()

    @property
    def job_title(self) -> str:
        return (self.job.get("title") or "").strip()

    @property
    def allowed_phrases(self) -> list[str]:
        """What a document may quote from the job without it being a claim about the candidate."""
        return [p for p in (self.job_title, self.company) if p]

    @property
    def candidate_skills(self) -> list[str]:
        return vocab.normalise_list(list(self.profile.get("skills") or []) + list(self.profile.get("skills_years") or {}))

    @property
    def matched_required(self) -> list[str]:
        have = set(self.candidate_skills)
        return [s for s in self.required if s in have]

    @property
    def matched_nice(self) -> list[str]:
        have = set(self.candidate_skills)
        return [s for s in self.nice if s in have and s not in self.required]

    @property
    def gaps(self) -> list[str]:
        have = set(self.candidate_skills)
        return [s for s in self.required + self.nice if s not in have]


def load_context(db: Any, cipher: Any, application_id: int) -> AppContext:
    from core.records import candidate_profile, get_application, get_job

    try:
        app = get_application(db, application_id)
    except Exception as exc:
        raise PermanentError(str(exc)) from None
    job = get_job(db, app["job_id"])
    profile = candidate_profile(db, cipher, app["candidate_id"])
    required, nice, source = job_skills(job)
    return AppContext(app, job, profile, required, nice, source)


def plain_description(description: str | None) -> str:
    """Job descriptions arrive as HTML, sometimes HTML-escaped twice (Greenhouse): plain text with line breaks."""
    text = description or ""
    for _ in range(2):
        if "&lt;" in text or "&amp;" in text or "&gt;" in text:
            text = html.unescape(text)
    text = re.sub(r"(?i)<br\s*/?>|</(p|li|h\d|div|ul|ol|tr)>", "\n", text)
    text = re.sub(r"(?i)<li[^>]*>", "\n• ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines() if line.strip())


_NICE_HEADINGS = re.compile(r"(?i)\b(nice[- ]to[- ]have|good[- ]to[- ]have|preferred|bonus|plus|desirable|"
                            r"would be great|added advantage)\b")
_REQUIRED_HEADINGS = re.compile(r"(?i)\b(requirements|required|must[- ]have|qualifications|you have|what you.ll need|"
                                r"responsibilities|what we.re looking for|skills)\b")


def job_skills(job: dict[str, Any]) -> tuple[list[str], list[str], str]:
    """(required, nice-to-have, source): from ``jobs.parsed`` when jd_parse has run, else from the description."""
    parsed = job.get("parsed")
    if isinstance(parsed, dict):
        skills_obj = parsed.get("skills") if isinstance(parsed.get("skills"), dict) else {}
        req = _first_list(parsed, ("required_skills", "required", "must_have")) or _first_list(skills_obj, ("required",))
        nice = (_first_list(parsed, ("nice_to_have_skills", "nice_skills", "nice_to_have", "nice", "preferred_skills"))
                or _first_list(skills_obj, ("nice", "nice_to_have", "preferred")))
        if req or nice:
            req_n = vocab.normalise_list(req)
            return req_n, [s for s in vocab.normalise_list(nice) if s not in req_n], "parsed"
    text = plain_description(job.get("description"))
    required: list[str] = []
    nice: list[str] = []
    in_nice = False
    for line in text.splitlines():
        short = len(line) <= 60
        if short and _NICE_HEADINGS.search(line) and not vocab.extract(line):
            in_nice = True
            continue
        if short and _REQUIRED_HEADINGS.search(line) and not vocab.extract(line):
            in_nice = False
            continue
        found = vocab.extract(line)
        if _NICE_HEADINGS.search(line) and found:  # "Kafka is a plus"
            nice.extend(found)
        else:
            (nice if in_nice else required).extend(found)
    title_skills = vocab.extract(job.get("title") or "")
    req_n = vocab.normalise_list(title_skills + required)
    return req_n, [s for s in vocab.normalise_list(nice) if s not in req_n], "description"


def _first_list(obj: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    for k in keys:
        v = obj.get(k)
        if isinstance(v, list) and v:
            return [str(x.get("name") if isinstance(x, dict) else x) for x in v if x]
    return []


_STOP = {"with", "that", "this", "from", "have", "will", "your", "their", "about", "into", "over", "more", "than",
         "team", "work", "working", "using", "used", "build", "built", "years", "year", "experience", "role",
         "strong", "ability", "skills", "knowledge", "good", "great", "other", "such", "also", "across", "within"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z+#.-]{3,}", text.lower()) if w not in _STOP}


def bullet_relevance(bullet: str, ctx: AppContext, job_words: set[str] | None = None) -> float:
    """How much a bullet of the candidate's speaks to this job: its skills (required above nice), then words."""
    found = set(vocab.extract(bullet))
    score = REQUIRED_WEIGHT * len(found & set(ctx.required)) + NICE_WEIGHT * len(found & set(ctx.nice))
    if job_words is None:
        job_words = _words(plain_description(ctx.job.get("description")) + " " + ctx.job_title)
    score += 0.25 * min(8, len(_words(bullet) & job_words))
    return score


def ordered_skills(ctx: AppContext, limit: int) -> list[str]:
    """The candidate's skills, the job's required ones first, then nice-to-have, then the rest as listed."""
    own = ctx.candidate_skills
    first = ctx.matched_required + [s for s in ctx.matched_nice if s not in ctx.matched_required]
    rest = [s for s in own if s not in first]
    return (first + rest)[:limit]


def years_text(profile: dict[str, Any]) -> str | None:
    years = (profile.get("work") or {}).get("years_experience")
    if years is None:
        return None
    y = float(years)
    return f"{int(y)}" if y == int(y) else f"{y:.1f}".rstrip("0").rstrip(".")


def month_year(value: str | None) -> str:
    """'2021-01' -> 'Jan 2021', 'present' -> 'Present', '2019' -> '2019'."""
    if not value:
        return ""
    if value == "present":
        return "Present"
    m = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if m:
        return f"{('Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec')[int(m.group(2)) - 1]} {m.group(1)}"
    return value


def full_name(profile: dict[str, Any]) -> str:
    ident = profile.get("identity") or {}
    return " ".join(p for p in (ident.get("first_name"), ident.get("last_name")) if p) or "Candidate"


def contact_line(profile: dict[str, Any]) -> str:
    ident = profile.get("identity") or {}
    links = profile.get("links") or {}
    parts = [ident.get("location"), ident.get("email"), ident.get("phone")]
    parts += [links.get(k) for k in ("linkedin", "github", "portfolio")]
    return " | ".join(str(p) for p in parts if p)


# ------------------------------------------------------------------------------------------------
# Documents: one structure, three renderings
# ------------------------------------------------------------------------------------------------
@dataclass
class Block:
    kind: str  # heading | para | bullet | meta | role
    text: str
    aside: str = ""  # right-hand text of a role line (dates)


@dataclass
class Doc:
    title: str
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.blocks.append(Block("heading", text))

    def para(self, text: str) -> None:
        self.blocks.append(Block("para", text))

    def bullet(self, text: str) -> None:
        self.blocks.append(Block("bullet", text))

    def role(self, text: str, aside: str = "") -> None:
        self.blocks.append(Block("role", text, aside))

    def meta(self, text: str) -> None:
        self.blocks.append(Block("meta", text))


def to_text(doc: Doc) -> str:
    lines = [doc.title]
    if doc.subtitle:
        lines.append(doc.subtitle)
    for b in doc.blocks:
        if b.kind == "heading":
            lines += ["", b.text.upper()]
        elif b.kind == "bullet":
            lines.append(f"- {b.text}")
        elif b.kind == "role":
            lines.append(f"{b.text} ({b.aside})" if b.aside else b.text)
        elif b.kind == "para":
            lines += ["", b.text] if lines and lines[-1] != "" else [b.text]
        else:
            lines.append(b.text)
    return "\n".join(lines).strip() + "\n"


def to_docx(doc: Doc) -> bytes:
    import docx
    from docx.shared import Pt

    d = docx.Document()
    d.core_properties.title = doc.title
    d.add_heading(doc.title, level=0)
    if doc.subtitle:
        d.add_paragraph(doc.subtitle)
    for b in doc.blocks:
        if b.kind == "heading":
            d.add_heading(b.text, level=1)
        elif b.kind == "bullet":
            d.add_paragraph(b.text, style="List Bullet")
        elif b.kind == "role":
            p = d.add_paragraph()
            p.add_run(b.text).bold = True
            if b.aside:
                p.add_run(f"  ({b.aside})")
        else:
            p = d.add_paragraph(b.text)
            if b.kind == "meta":
                for r in p.runs:
                    r.font.size = Pt(9)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


_FONT_LOCK = threading.Lock()
_FONTS: dict[str, str] = {}


def _pdf_fonts() -> tuple[str, str]:
    """A Unicode font when the system has one (names, ₹), else Helvetica."""
    with _FONT_LOCK:
        if not _FONTS:
            regular = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
            bold = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
            _FONTS["regular"], _FONTS["bold"] = "Helvetica", "Helvetica-Bold"
            if regular.is_file() and bold.is_file():
                from reportlab.pdfbase import pdfmetrics
                from reportlab.pdfbase.ttfonts import TTFont

                pdfmetrics.registerFont(TTFont("TalvixSans", str(regular)))
                pdfmetrics.registerFont(TTFont("TalvixSans-Bold", str(bold)))
                _FONTS["regular"], _FONTS["bold"] = "TalvixSans", "TalvixSans-Bold"
        return _FONTS["regular"], _FONTS["bold"]


def to_pdf(doc: Doc) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

    regular, bold = _pdf_fonts()
    title = ParagraphStyle("title", fontName=bold, fontSize=16, leading=20, spaceAfter=2)
    sub = ParagraphStyle("sub", fontName=regular, fontSize=9, leading=12, spaceAfter=6)
    head = ParagraphStyle("head", fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3)
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13, spaceAfter=4)
    role = ParagraphStyle("role", fontName=bold, fontSize=10, leading=13, spaceBefore=4)
    story: list[Any] = [Paragraph(escape(doc.title), title)]
    if doc.subtitle:
        story.append(Paragraph(escape(doc.subtitle), sub))
    bullets: list[Any] = []

    def flush() -> None:
        if bullets:
            story.append(ListFlowable([ListItem(b, leftIndent=10) for b in bullets], bulletType="bullet",
                                      start="•", bulletFontName=regular, leftIndent=10))
            bullets.clear()

    for b in doc.blocks:
        if b.kind == "bullet":
            bullets.append(Paragraph(escape(b.text), body))
            continue
        flush()
        if b.kind == "heading":
            story.append(Paragraph(escape(b.text), head))
        elif b.kind == "role":
            aside = f' <font name="{regular}">({escape(b.aside)})</font>' if b.aside else ""
            story.append(Paragraph(escape(b.text) + aside, role))
        elif b.kind == "meta":
            story.append(Paragraph(escape(b.text), sub))
        else:
            story.append(Paragraph(escape(b.text).replace("\n", "<br/>"), body))
            story.append(Spacer(1, 2))
    flush()
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                      bottomMargin=16 * mm, title=doc.title, author="").build(story)
    return buf.getvalue()


def unified_diff(before: str, after: str, *, a: str = "base resume", b: str = "tailored resume") -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=a, tofile=b, n=1))


# ------------------------------------------------------------------------------------------------
# Saving
# ------------------------------------------------------------------------------------------------
MIME = {".pdf": "application/pdf", ".txt": "text/plain", ".md": "text/markdown", ".diff": "text/x-diff",
        ".json": "application/json",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def file_stem(profile: dict[str, Any], what: str) -> str:
    return f"{full_name(profile).replace(' ', '_')}_{what}"


def update_documents(conn: Any, application_id: int, docs: dict[str, dict[str, str]]) -> None:
    """Merge ``docs`` (kind -> {path, sha256}) into ``applications.documents``."""
    conn.execute("UPDATE applications SET documents = documents || %s, updated_at = now() WHERE id = %s",
                 (Jsonb(docs), application_id))


def set_status_if(conn: Any, application_id: int, status: str, allowed_from: tuple[str, ...]) -> bool:
    row = conn.execute("UPDATE applications SET status = %s, updated_at = now() WHERE id = %s AND status = ANY(%s) "
                       "RETURNING id", (status, application_id, list(allowed_from))).fetchone()
    return row is not None


#: Application states in which documents may still be (re)made: nothing has been sent yet.
PREPARABLE = ("matched", "preparing", "ready")


def load_preparable(agent_ctx: Any, application_id: int) -> AppContext:
    """The application's facts for a document agent; refuses one that has moved past preparation."""
    from core.crypto import load_cipher
    from core.errors import PermanentError

    app = load_context(agent_ctx.db, load_cipher(agent_ctx.settings), application_id)
    if app.application["status"] not in PREPARABLE:
        raise PermanentError(f"application {application_id} is {app.application['status']}; "
                             "its documents are not remade")
    return app


# ------------------------------------------------------------------------------------------------
# Optional LLM wording, always re-checked
# ------------------------------------------------------------------------------------------------
def facts_for_prompt(ctx: AppContext, evidence: list[tuple[str, str]] | None = None) -> str:
    """The only facts an LLM is given (and so the only ones it could use): the candidate's own."""
    p = ctx.profile
    lines = [f"Candidate: {full_name(p)}"]
    yt = years_text(p)
    if yt:
        lines.append(f"Years of experience: {yt}")
    for e in p.get("experience") or []:
        lines.append(f"Role: {e.get('title')} at {e.get('employer')} ({month_year(e.get('start'))} - "
                     f"{month_year(e.get('end'))})")
    lines.append("Skills: " + ", ".join(ctx.candidate_skills))
    if evidence:
        lines.append("Evidence (quote facts only from here):")
        lines += [f"- {b} ({emp})" for b, emp in evidence]
    lines.append(f"Job: {ctx.job_title} at {ctx.company}")
    if ctx.matched_required or ctx.matched_nice:
        lines.append("Job skills the candidate has: " + ", ".join(ctx.matched_required + ctx.matched_nice))
    return "\n".join(lines)


SYSTEM_PROMPT = ("You write job-application text for a real person. Use ONLY facts given to you: never add an "
                 "employer, job title, skill, number, date or achievement that is not in the facts. Plain text, "
                 "no Markdown.")


def llm_wording(agent_ctx: Any, purpose: str, prompt: str, schema: type[Any], verify: Any) -> Any | None:
    """An LLM's structured answer that passes ``verify`` (the fabrication check), or None (use the rules).

    Every outcome is logged: no LLM configured, the call failed, or the answer invented a fact.
    """
    from core.fabrication import FabricationError
    from core.llm import LLMError, for_context

    client = for_context(agent_ctx, purpose)
    if client is None:
        return None
    try:
        answer = client.structured(prompt, schema, system=SYSTEM_PROMPT, purpose=purpose)
    except LLMError as exc:
        agent_ctx.log(f"LLM {purpose} failed ({exc}); using the deterministic text", level="warning")
        return None
    try:
        verify(answer)
    except FabricationError as exc:
        agent_ctx.log(f"LLM {purpose} rejected by the fabrication check ({exc}); using the deterministic text",
                      level="warning", violations=[str(v) for v in exc.violations])
        return None
    agent_ctx.log(f"LLM {purpose} accepted")
    return answer
