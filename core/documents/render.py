"""Documents as data (:class:`Doc` of blocks) and their renderings: plain text, DOCX, PDF, and a diff between two."""

from __future__ import annotations

import difflib
import io
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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


_FONTS: dict[str, str] = {}
_FONT_LOCK = threading.Lock()


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
    from reportlab.platypus import (
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
    )

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
