"""Render the resume corpus: each invented person of people.py, by one of the tools people really use.

    python3 tests/corpus/resumes/generate.py            # writes files/ and facts/ next to this script
    python3 tests/corpus/resumes/generate.py --third    # only the third batch (people.third_batch())
    python3 tests/corpus/resumes/generate.py --linkedin # only LinkedIn's exports (people.linkedin_batch())

Renderers: reportlab (one column, a two-column sidebar with the name at the bottom or top, a justified
Word-like export whose words are placed one by one with no space characters, ligatures and soft hyphens),
python-docx (headings with tab stops, tables, name and contact in the page header, a footer), the same DOCX
exported to PDF by LibreOffice headless (if ``soffice`` is installed), and HTML printed to PDF by headless
Chromium (icons, CSS two columns, a table layout, non-breaking spaces, soft hyphens), LaTeX built by Debian's
pdflatex (article class, one column and a minipage sidebar; ligatures and hyphenation from TeX itself), and
tables laid out line by line the way a word processor lets a row break across pages (reportlab canvas).

The rendered files and their expected facts are committed, so the tests and the bench never need LibreOffice
or Chromium; rerun this after changing people.py and commit the result.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[2]))

from people import LONG_MONTHS, Person, fmt_range, linkedin_batch, make_people, norm_date, third_batch  # noqa: E402

FILES = HERE / "files"
FACTS = HERE / "facts"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def facts_of(p: Person) -> dict:
    from core.candidates import skills as vocab

    running = " ".join([p.summary, p.headline] + [j.title for j in p.jobs] + [b for j in p.jobs for b in j.bullets]
                       + [p.extras.get("project", ""), p.extras.get("cert", "")])
    skills = vocab.normalise_list(p.canonical_skills + vocab.extract(_nfkc(running)))
    return {
        "name": p.name,
        "roles": len(p.jobs),
        "email": p.email,
        "phone": p.phone_e164,
        "location": p.location,
        "experience": [{"employer": _nfkc(j.employer), "title": j.title,
                        "start": j.expected[0] if j.expected else norm_date(j.start, p.date_style),
                        "end": j.expected[1] if j.expected else norm_date(j.end, p.date_style)} for j in p.jobs],
        "education": [_nfkc(s.institution) for s in p.schools],
        "skills": skills,
    }


def contact_bits(p: Person) -> list[str]:
    return [p.location, p.phone, p.email, p.linkedin]


def section_names(p: Person) -> dict[str, str]:
    if p.region == "IN":
        return {"summary": "Career Objective", "experience": ["Work Experience", "Professional Experience",
                                                               "Employment History", "Employment Details"][p.entry_style % 4],
                "education": "Educational Qualifications", "skills": "Key Skills"}
    return {"summary": ["Summary", "Professional Summary", "Profile"][p.entry_style % 3],
            "experience": ["Experience", "Work Experience", "Professional Experience", "Employment",
                           "Professional Background", "Work History", "Relevant Experience"][p.entry_style],
            "education": "Education", "skills": ["Skills", "Technical Skills", "Core Competencies"][p.entry_style % 3]}


def entry_lines(p: Person, job, style: int) -> list[str]:
    """The header lines of one role, in one of the layouts resumes use."""
    dates = fmt_range(job, p.date_style)
    if style == 0:
        return [f"{job.title}, {job.employer}, {job.location}\t{dates}"]
    if style == 1:
        return [f"{job.title}\t{dates}", f"{job.employer} • {job.location}"]
    if style == 2:
        return [f"{job.employer} | {job.location}", f"{job.title} | {dates}"]
    if style == 3:
        return [f"{job.employer} — {job.title}", f"{dates} · {job.location}"]
    if style == 4:
        return [f"{job.title} at {job.employer}", f"{dates} | {job.location}"]
    if style == 5:
        return [f"{job.employer}\t{job.location}", f"{job.title}\t{dates}"]
    return [f"{job.employer}\t{dates}", f"{job.title}, {job.location}"]


def display_name(p: Person) -> str:
    return p.name.upper() if p.extras.get("caps_name") else p.name


def extra_sections(p: Person) -> list[tuple[str, list[str]]]:
    """Projects, certifications and volunteering (second batch): none of them is a job."""
    if "project" not in p.extras:
        return []
    return [("Projects", [p.extras["project"]]), ("Certifications", [p.extras["cert"]]),
            ("Volunteer Experience", [p.extras["volunteer"]])]


def skill_lines(p: Person) -> list[str]:
    """One comma list, or (every third person) grouped under labels as many resumes do."""
    if p.entry_style % 3 == 1:
        half = len(p.skills) // 2
        return [f"Languages & Frameworks: {', '.join(p.skills[:half])}", f"Tools & Platforms: {', '.join(p.skills[half:])}"]
    return [", ".join(p.skills)]


def personal_details(p: Person) -> list[str]:
    e = p.extras
    return [f"Date of Birth: {e['dob']}", f"Father's Name: {e['father']}", f"Nationality: {e['nationality']}",
            f"Marital Status: {e['marital']}", f"Languages Known: {e['languages']}",
            f"Current CTC: {e['ctc']}", f"Expected CTC: {e['ectc']}", f"Notice Period: {e['notice']}"]


# ------------------------------------------------------------------------------------------------
# reportlab
# ------------------------------------------------------------------------------------------------
def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if (FONT_DIR / "DejaVuSans.ttf").exists():
        try:
            pdfmetrics.getFont("DejaVu")
        except KeyError:
            pdfmetrics.registerFont(TTFont("DejaVu", str(FONT_DIR / "DejaVuSans.ttf")))
            pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        return "DejaVu", "DejaVu-Bold"
    return "Helvetica", "Helvetica-Bold"


def _latin1(s: str) -> str:
    """What the standard Type 1 fonts can show (ligatures spelled out, dashes kept)."""
    return _nfkc(s).replace("•", "-").replace("·", "-")


def rl_one_column(p: Person, out: Path, *, ttf: bool, soft_hyphen_phone: bool = False) -> None:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen import canvas

    reg, bold = _fonts() if ttf else ("Helvetica", "Helvetica-Bold")
    fix = (lambda s: s) if ttf else _latin1
    c = canvas.Canvas(str(out), pagesize=LETTER)
    w, h = LETTER
    y = h - 60
    c.setFont(bold, 22)
    c.drawCentredString(w / 2, y, fix(display_name(p)))
    y -= 20
    c.setFont(reg, 10)
    phone = p.phone.replace(" ", "\u00ad").replace("-", "\u00ad") if soft_hyphen_phone else p.phone
    c.drawCentredString(w / 2, y, fix("  |  ".join([p.location, phone, p.email, p.linkedin])))
    y -= 28
    names = section_names(p)

    def heading(t: str) -> None:
        nonlocal y
        if y < 90:
            c.showPage()
            y = h - 60
        c.setFont(bold, 12)
        c.drawString(54, y, t.upper())
        c.line(54, y - 3, w - 54, y - 3)
        y -= 18
        c.setFont(reg, 10)

    def text(t: str, x: float = 54, size: float = 10, right: str | None = None) -> None:
        nonlocal y
        if y < 60:
            c.showPage()
            y = h - 60
        c.setFont(reg, size)
        c.drawString(x, y, fix(t))
        if right:
            c.drawRightString(w - 54, y, fix(right))
        y -= size + 4

    heading(names["summary"])
    for piece in _wrap(p.summary, 95):
        text(piece)
    y -= 6
    heading(names["experience"])
    for job in p.jobs:
        for line in entry_lines(p, job, p.entry_style):
            left, _, right = line.partition("\t")
            c.setFont(bold, 10)
            text(left, right=right or None)
        for b in job.bullets:
            text("• " + b if ttf else "- " + b, x=66)
        y -= 4
    heading(names["education"])
    for s in p.schools:
        text(f"{s.degree}, {s.institution}", right=f"{s.start} – {s.end}" if ttf else f"{s.start} - {s.end}")
    y -= 6
    heading(names["skills"])
    for line in skill_lines(p):
        text(line)
    for title, body in extra_sections(p):
        y -= 6
        heading(title)
        for line in body:
            text(line)
    if p.region == "IN":
        y -= 6
        heading("Personal Details")
        for line in personal_details(p):
            text(line)
    c.save()


def rl_two_columns(p: Person, out: Path, *, name_at_bottom: bool) -> None:
    """A sidebar (contact, skills, education) and a main column; some templates print the name at the bottom."""
    from reportlab.lib.colors import HexColor, white
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    reg, bold = _fonts()
    c = canvas.Canvas(str(out), pagesize=A4)
    w, h = A4
    side = 190
    c.setFillColor(HexColor("#1f3a5f"))
    c.rect(0, 0, side, h, stroke=0, fill=1)
    c.setFillColor(white)
    y = h - 50
    first, last = display_name(p).rsplit(" ", 1)
    if not name_at_bottom:
        c.setFont(bold, 20)
        c.drawString(20, y, first)
        c.drawString(20, y - 24, last)
        y -= 60
    names = section_names(p)

    def side_text(t: str, size: float = 9, font: str = reg) -> None:
        nonlocal y
        c.setFont(font, size)
        c.drawString(20, y, t)
        y -= size + 5

    side_text("CONTACT", 10, bold)
    for bit in contact_bits(p):
        side_text(bit)
    y -= 10
    side_text(names["skills"].upper(), 10, bold)
    for s in p.skills:
        side_text("▪ " + s)
    y -= 10
    side_text("EDUCATION", 10, bold)
    for s in p.schools:
        for piece in _wrap(s.institution, 30):
            side_text(piece)
        side_text(s.degree[:34], 8)
        side_text(f"{s.start} – {s.end}", 8)
        y -= 4
    if name_at_bottom:
        c.setFont(bold, 22)
        c.drawString(20, 70, first)
        c.drawString(20, 44, last)
        c.setFont(reg, 10)
        c.drawString(20, 26, p.headline)
    c.setFillColor(HexColor("#000000"))
    x = side + 24
    y = h - 50
    c.setFont(bold, 13)
    c.drawString(x, y, names["summary"].upper())
    y -= 18
    c.setFont(reg, 9.5)
    for piece in _wrap(p.summary, 70):
        c.drawString(x, y, piece)
        y -= 13
    y -= 10
    c.setFont(bold, 13)
    c.drawString(x, y, names["experience"].upper())
    y -= 18
    for job in p.jobs:
        for line in entry_lines(p, job, p.entry_style):
            left, _, right = line.partition("\t")
            c.setFont(bold, 10)
            c.drawString(x, y, left)
            if right:
                c.setFont(reg, 9)
                if x + c.stringWidth(left, bold, 10) + 20 + c.stringWidth(right, reg, 9) > w - 30:
                    y -= 12  # no room beside it: the dates go under, right-aligned
                c.drawRightString(w - 30, y, right)
            y -= 14
        c.setFont(reg, 9.5)
        for b in job.bullets:
            for k, piece in enumerate(_wrap(b, 68)):
                c.drawString(x + 10, y, ("• " if k == 0 else "  ") + piece)
                y -= 12
        y -= 8
    for title, body in extra_sections(p):
        c.setFont(bold, 13)
        c.drawString(x, y, title.upper())
        y -= 16
        c.setFont(reg, 9.5)
        for line in body:
            for piece in _wrap(line, 70):
                c.drawString(x, y, piece)
                y -= 12
        y -= 8
    if p.region == "IN":
        c.setFont(bold, 13)
        c.drawString(x, y, "PERSONAL DETAILS")
        y -= 16
        c.setFont(reg, 9.5)
        for line in personal_details(p):
            c.drawString(x, y, line)
            y -= 12
    c.save()


def rl_word_by_word(p: Person, out: Path) -> None:
    """A Word-like PDF export: each word placed on its own (no space characters), lines justified, ligature
    glyphs (ﬁ ﬂ) for fi/fl, soft hyphens in the phone number, the dates right-aligned by a tab stop."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    reg, bold = _fonts()
    c = canvas.Canvas(str(out), pagesize=A4)
    w, h = A4
    y = h - 56
    left, right = 56, w - 56

    def lig(s: str) -> str:
        return s.replace("ffi", "ﬃ").replace("fi", "ﬁ").replace("fl", "ﬂ")

    def words(t: str, font: str, size: float, *, justify: bool = False, x0: float = left) -> None:
        nonlocal y
        if y < 60:
            c.showPage()
            y = h - 56
        ws = lig(t).split()
        c.setFont(font, size)
        widths = [stringWidth(x, font, size) for x in ws]
        gap = stringWidth(" ", font, size)
        if justify and len(ws) > 1:
            gap = max(gap, (right - x0 - sum(widths)) / (len(ws) - 1))
        x = x0
        for word, wd in zip(ws, widths):
            c.drawString(x, y, word)
            x += wd + gap
        y -= size + 4

    def tabbed(l_text: str, r_text: str, font: str, size: float) -> None:
        nonlocal y
        words(l_text, font, size)
        y += size + 4
        c.setFont(font, size)
        x = right - stringWidth(r_text, font, size)
        for word in r_text.split():  # each word on its own, like Word's tab-aligned runs
            c.drawString(x, y, word)
            x += stringWidth(word + " ", font, size)
        y -= size + 4

    words(display_name(p), bold, 20)
    phone = p.phone.replace(" ", "\u00ad").replace("-", "\u00ad")
    words(f"{p.location} · {p.email} · {p.linkedin}", reg, 10)
    c.setFont(reg, 10)
    c.drawString(left, y, phone)
    y -= 24
    names = section_names(p)
    words(names["summary"], bold, 12)
    summary = p.summary.split()
    words(" ".join(summary[:14]), reg, 10, justify=True)
    words(" ".join(summary[14:]), reg, 10)
    y -= 8
    words(names["experience"], bold, 12)
    for job in p.jobs:
        for line in entry_lines(p, job, p.entry_style):
            l_text, _, r_text = line.partition("\t")
            if r_text:
                tabbed(l_text, r_text, bold, 10)
            else:
                words(l_text, bold, 10)
        for b in job.bullets:
            c.setFont(reg, 10)
            c.drawString(left + 4, y, "•")
            words(b, reg, 10, x0=left + 16)
        y -= 4
    y -= 6
    words(names["education"], bold, 12)
    for s in p.schools:
        tabbed(f"{s.degree}, {s.institution}", f"{s.start} – {s.end}", reg, 10)
    y -= 8
    words(names["skills"], bold, 12)
    for line in skill_lines(p):
        words(line, reg, 10)
    for title, body in extra_sections(p):
        y -= 8
        words(title, bold, 12)
        for line in body:
            words(line, reg, 10)
    if p.region == "IN":
        y -= 8
        words("Personal Details", bold, 12)
        for line in personal_details(p):
            words(line, reg, 10)
    c.save()


def rl_table_split(p: Person, out: Path) -> None:
    """Roles and schools in tables with a header row and narrow wrapping cells, laid out line by line the way a
    word processor lets a row break across pages (Word's and LibreOffice's default): the education table's
    first row is split by the page break, so its cells go on at the top of page 2."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    reg, bold = _fonts()
    w, h = A4
    names = section_names(p)

    def cell_lines(text: str, width: float, font: str) -> list[str]:
        out_, cur = [], ""
        for word in text.split():
            if cur and stringWidth(f"{cur} {word}", font, 10) > width - 8:
                out_.append(cur)
                cur = word
            else:
                cur = f"{cur} {word}".strip()
        return out_ + ([cur] if cur else [])

    def render_once(gap: float) -> None:
        c = canvas.Canvas(str(out), pagesize=A4)
        y = h - 60

        def line(text: str, font: str = reg, size: float = 10, x: float = 56) -> None:
            nonlocal y
            if y < 60:
                c.showPage()
                y = h - 60
            c.setFont(font, size)
            c.drawString(x, y, text)
            y -= size + 4

        def table(rows: list[tuple[str, ...]], widths: list[float]) -> None:
            nonlocal y
            for k, row in enumerate(rows):
                font = bold if k == 0 else reg
                wrapped = [cell_lines(t, wd, font) for t, wd in zip(row, widths)]
                for n in range(max(len(x) for x in wrapped)):
                    if y < 60:  # the row goes on over the page break
                        c.showPage()
                        y = h - 60
                    x = 56.0
                    for cell, wd in zip(wrapped, widths):
                        if n < len(cell):
                            c.setFont(font, 10)
                            c.drawString(x + 4, y, cell[n])
                        x += wd
                    y -= 14
                y -= 4

        line(display_name(p), bold, 22)
        y -= 6
        line(" | ".join(contact_bits(p)))
        y -= 8
        line(names["summary"].upper(), bold, 12)
        for piece in _wrap(p.summary, 95):
            line(piece)
        y -= 6
        line(names["experience"].upper(), bold, 12)
        table([("Company", "Role", "Duration")] + [(f"{j.employer}, {j.location}", j.title, fmt_range(j, p.date_style))
                                                  for j in p.jobs], [190, 150, 130])
        for j in p.jobs:
            line(f"{j.employer}:", bold)
            for b in j.bullets:
                line("• " + b, x=66)
        y -= gap
        line(names["education"].upper(), bold, 12)
        table([("Degree", "Institution", "Year")] + [(s.degree, s.institution, f"{s.start} - {s.end}")
                                                    for s in p.schools], [120, 120, 90])
        y -= 6
        line(names["skills"].upper(), bold, 12)
        for text in skill_lines(p):
            line(text)
        if p.region == "IN":
            y -= 6
            line("PERSONAL DETAILS", bold, 12)
            for text in personal_details(p):
                line(text)
        c.save()

    # the gap before Education that leaves room for the first line of its first row at the foot of page 1
    from pdfminer.high_level import extract_text

    first, last = p.schools[0].institution.split()[0], p.schools[0].institution.split()[-1]
    for gap in range(0, 700, 2):
        render_once(gap)
        pages = extract_text(str(out)).split("\f")
        if len(pages) > 1 and first in pages[0] and last in pages[1][:200] and last not in pages[0]:
            return
    raise SystemExit(f"{out.name}: no gap splits the education row over the page")


def _wrap(t: str, width: int) -> list[str]:
    out, cur = [], ""
    for word in t.split():
        if cur and len(cur) + 1 + len(word) > width:
            out.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}".strip()
    if cur:
        out.append(cur)
    return out


# ------------------------------------------------------------------------------------------------
# python-docx
# ------------------------------------------------------------------------------------------------
def docx_resume(p: Person, out: Path, *, variant: str) -> None:
    """variant: 'plain' (headings, tab stops) | 'tables' (contact and experience in tables) |
    'header' (name and contact in the page header, a footer, Indian-style labelled entries)."""
    import docx
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Inches, Pt

    d = docx.Document()
    sec = d.sections[0]
    names = section_names(p)
    if variant == "header":
        hp = sec.header.paragraphs[0]
        r = hp.add_run(display_name(p))
        r.bold = True
        r.font.size = Pt(18)
        sec.header.add_paragraph(f"{p.location} | {p.phone} | {p.email}")
        sec.footer.paragraphs[0].text = f"{p.name} – Resume – Page 1"
    elif variant == "tables":
        t = d.add_table(rows=1, cols=2)
        left, right = t.rows[0].cells
        left.paragraphs[0].add_run(display_name(p)).bold = True
        left.paragraphs[0].runs[0].font.size = Pt(20)
        left.add_paragraph(p.headline)
        right.paragraphs[0].text = p.email
        right.add_paragraph(p.phone)
        right.add_paragraph(p.location)
        right.add_paragraph(p.linkedin)
    elif variant == "textbox":
        title = d.add_paragraph()
        run = title.add_run(display_name(p))
        run.bold = True
        run.font.size = Pt(22)
        _add_text_box(d.add_paragraph(), [p.location, p.phone, p.email, p.linkedin])
    else:
        title = d.add_paragraph()
        run = title.add_run(display_name(p))
        run.bold = True
        run.font.size = Pt(20)
        d.add_paragraph(f"{p.email}\t{p.phone}\t{p.location}")

    def heading(t: str) -> None:
        if variant == "plain":
            d.add_heading(t, level=1)
        else:
            para = d.add_paragraph()
            para.add_run(t.upper()).bold = True

    heading(names["summary"])
    d.add_paragraph(p.summary)
    heading(names["experience"])
    if variant == "tables":
        t = d.add_table(rows=1, cols=3)
        t.style = "Table Grid"
        for cell, label in zip(t.rows[0].cells, ("Company", "Role", "Duration")):
            cell.text = label
        for job in p.jobs:
            row = t.add_row().cells
            row[0].text = f"{job.employer}, {job.location}"
            row[1].text = job.title
            row[2].text = fmt_range(job, p.date_style)
        for job in p.jobs:
            d.add_paragraph(f"{job.employer}:")
            for b in job.bullets:
                d.add_paragraph(b, style="List Bullet")
    else:
        for job in p.jobs:
            if variant == "header" and p.region == "IN":
                lines = [f"Company: {job.employer} | Designation: {job.title}",
                         f"Duration: {fmt_range(job, p.date_style)} | Location: {job.location}"]
            else:
                lines = entry_lines(p, job, p.entry_style)
            for line in lines:
                para = d.add_paragraph()
                para.paragraph_format.tab_stops.add_tab_stop(Inches(6.5), WD_TAB_ALIGNMENT.RIGHT)
                para.add_run(line).bold = True
            for b in job.bullets:
                d.add_paragraph(b, style="List Bullet")
    heading(names["education"])
    if variant == "tables" or p.region == "IN":
        t = d.add_table(rows=1, cols=3)
        for cell, label in zip(t.rows[0].cells, ("Degree", "Institution", "Year")):
            cell.text = label
        for s in p.schools:
            row = t.add_row().cells
            row[0].text, row[1].text, row[2].text = s.degree, s.institution, f"{s.start} - {s.end}"
    else:
        for s in p.schools:
            d.add_paragraph(f"{s.institution}\t{s.start} – {s.end}")
            d.add_paragraph(s.degree)
    heading(names["skills"])
    if variant == "header":
        for s in p.skills:
            d.add_paragraph(s, style="List Bullet")
    else:
        for line in skill_lines(p):
            d.add_paragraph(line)
    for title, body in extra_sections(p):
        heading(title)
        for line in body:
            d.add_paragraph(line, style="List Bullet")
    if p.region == "IN":
        heading("Personal Details")
        for line in personal_details(p):
            d.add_paragraph(line)
        heading("Declaration")
        d.add_paragraph("I hereby declare that the information given above is true to the best of my knowledge.")
    d.save(str(out))


def _add_text_box(paragraph, lines: list[str]) -> None:
    """A Word text box (VML, as Word writes for compatibility) holding ``lines``, anchored in ``paragraph``."""
    from docx.oxml import parse_xml

    ns = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:v="urn:schemas-microsoft-com:vml"')
    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{html.escape(x)}</w:t></w:r></w:p>" for x in lines)
    run = parse_xml(f'<w:r {ns}><w:pict><v:shape style="width:200pt;height:80pt"><v:textbox><w:txbxContent>'
                    f"{body}</w:txbxContent></v:textbox></v:shape></w:pict></w:r>")
    paragraph._p.append(run)


def libreoffice_pdf(src: Path, out: Path) -> bool:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf",
                        "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=180)
        shutil.move(str(Path(tmp) / (src.stem + ".pdf")), out)
    return True


# ------------------------------------------------------------------------------------------------
# HTML through headless Chromium
# ------------------------------------------------------------------------------------------------
_ICON = {"mail": "✉", "phone": "☎", "pin": "⌖", "link": "🔗"}
_SVG = ('<svg width="10" height="10" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#2a6"/></svg>')


def html_resume(p: Person, variant: str) -> str:
    e = html.escape
    names = section_names(p)
    phone = e(p.phone).replace(" ", "&nbsp;")
    if variant == "icons":
        phone = phone.replace("-", "&shy;-")
    contact = (f'<div class="contact"><span>{_SVG} {_ICON["pin"]} {e(p.location)}</span> '
               f'<span>{_ICON["phone"]} {phone}</span> <span>{_ICON["mail"]} {e(p.email)}</span> '
               f'<span>{e(p.linkedin)}</span></div>')
    exp = []
    for job in p.jobs:
        if variant == "table":
            exp.append(f"<tr><td><b>{e(job.employer)}</b><br>{e(job.location)}</td><td>{e(job.title)}</td>"
                       f"<td>{e(fmt_range(job, p.date_style))}</td></tr>")
            continue
        head = []
        for line in entry_lines(p, job, p.entry_style):
            l_text, _, r_text = line.partition("\t")
            head.append(f'<div class="row"><b>{e(l_text)}</b><span>{e(r_text)}</span></div>')
        bullets = "".join(f"<li>{e(b).replace('infrastructure', 'infra&shy;structure')}</li>" for b in job.bullets)
        exp.append(f'<div class="job">{"".join(head)}<ul>{bullets}</ul></div>')
    if variant == "table":
        exp_html = f'<table class="t"><tr><th>Employer</th><th>Title</th><th>Dates</th></tr>{"".join(exp)}</table>'
    else:
        exp_html = "".join(exp)
    edu = "".join(f'<div class="row"><span><b>{e(s.institution)}</b> — {e(s.degree)}</span>'
                  f'<span>{s.start} – {s.end}</span></div>' for s in p.schools)
    skills = ("<ul class='chips'>" + "".join(f"<li>{e(s)}</li>" for s in p.skills) + "</ul>") if variant == "two" \
        else "".join(f"<p>{e(x)}</p>" for x in skill_lines(p))
    personal = "".join(f"<h2>{e(t)}</h2>" + "".join(f"<p>{e(x)}</p>" for x in body) for t, body in extra_sections(p))
    if p.region == "IN":
        personal += "<h2>Personal Details</h2>" + "".join(f"<p>{e(x)}</p>" for x in personal_details(p))
    css = """
    body{font-family:'DejaVu Sans',sans-serif;font-size:10pt;margin:0;color:#222}
    h1{font-size:24pt;margin:0} h2{font-size:12pt;text-transform:uppercase;border-bottom:1px solid #888;margin:14px 0 6px}
    .contact span{margin-right:14px} .row{display:flex;justify-content:space-between} ul{margin:2px 0 8px}
    .chips{list-style:none;padding:0} .chips li{display:inline-block;border:1px solid #aaa;border-radius:8px;
    padding:1px 6px;margin:2px} .t{border-collapse:collapse;width:100%} .t td,.t th{border:1px solid #999;padding:3px}
    .grid{display:grid;grid-template-columns:2fr 1fr;gap:24px} .side{background:#f2f4f7;padding:10px}
    @page{margin:16mm}
    """
    header = f"<h1>{e(display_name(p))}</h1><div class='headline'>{e(p.headline)}</div>{contact}"
    main = (f"<h2>{e(names['summary'])}</h2><p>{e(p.summary)}</p><h2>{e(names['experience'])}</h2>{exp_html}")
    if variant == "two":
        body = (f"{header}<div class='grid'><div>{main}{personal}</div><div class='side'>"
                f"<h2>{e(names['skills'])}</h2>{skills}<h2>{e(names['education'])}</h2>{edu}</div></div>")
    else:
        body = (f"{header}{main}<h2>{e(names['education'])}</h2>{edu}<h2>{e(names['skills'])}</h2>{skills}"
                f"{personal}")
    return f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head><body>{body}</body></html>"


def chromium_pdf(doc: str, out: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        raise SystemExit("chromium is needed to render the HTML resumes")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "resume.html"
        src.write_text(doc, encoding="utf-8")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", src.as_uri()],
                       check=True, capture_output=True, timeout=120)


# ------------------------------------------------------------------------------------------------
# A scan: the page as one image, no text layer (Pillow draws it; the PDF holds only the picture)
# ------------------------------------------------------------------------------------------------
def scan_pdf(p: Person, out: Path) -> None:
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    dpi = 200
    img = Image.new("L", (int(8.27 * dpi), int(11.69 * dpi)), 255)
    draw = ImageDraw.Draw(img)
    reg = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), 26)
    bold = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), 28)
    big = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), 52)
    names = section_names(p)
    y = 120
    lines: list[tuple[str, object, int]] = [(display_name(p), big, 80), ("  |  ".join([p.location, p.phone, p.email]), reg, 60)]
    lines.append((names["summary"].upper(), bold, 44))
    lines += [(piece, reg, 36) for piece in _wrap(p.summary, 90)]
    lines.append((names["experience"].upper(), bold, 44))
    for job in p.jobs:
        for line in entry_lines(p, job, p.entry_style):
            lines.append((line.replace("\t", "    "), bold, 38))
        lines += [("• " + b, reg, 36) for b in job.bullets]
    lines.append((names["education"].upper(), bold, 44))
    lines += [(f"{s.degree}, {s.institution}, {s.start} - {s.end}", reg, 36) for s in p.schools]
    lines.append((names["skills"].upper(), bold, 44))
    lines += [(x, reg, 36) for x in skill_lines(p)]
    for title, body in extra_sections(p):
        lines.append((title.upper(), bold, 44))
        lines += [(x, reg, 36) for x in body]
    for text, font, step in lines:
        draw.text((130, y), text, font=font, fill=0)
        y += step
    img = img.filter(ImageFilter.GaussianBlur(0.6)).rotate(0.4, fillcolor=255)
    img.save(out, "PDF", resolution=dpi)


# ------------------------------------------------------------------------------------------------
RENDERERS = ["rl_one", "rl_two_bottom", "docx_plain", "html_icons", "rl_words", "docx_tables", "html_two",
             "lo_plain", "rl_two_top", "docx_header", "html_table", "lo_tables", "rl_one_ttf", "lo_header", "scan"]


def render(p: Person, how: str) -> Path:
    if how == "li_export":
        out = FILES / f"{p.key}.li_export.pdf"
        li_export(p, out)
        return out
    if how.startswith("rl_"):
        out = FILES / f"{p.key}.{how}.pdf"
        if how == "rl_table_split":
            rl_table_split(p, out)
        elif how == "rl_one":
            rl_one_column(p, out, ttf=False)
        elif how == "rl_one_ttf":
            rl_one_column(p, out, ttf=True, soft_hyphen_phone=True)
        elif how == "rl_two_bottom":
            rl_two_columns(p, out, name_at_bottom=True)
        elif how == "rl_two_top":
            rl_two_columns(p, out, name_at_bottom=False)
        else:
            rl_word_by_word(p, out)
        return out
    if how.startswith("docx_"):
        out = FILES / f"{p.key}.{how}.docx"
        docx_resume(p, out, variant=how[5:])
        return out
    if how.startswith("lo_"):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / f"{p.key}.docx"
            docx_resume(p, src, variant=how[3:])
            out = FILES / f"{p.key}.{how}.pdf"
            if libreoffice_pdf(src, out):
                return out
        out = FILES / f"{p.key}.docx_{how[3:]}.docx"  # no LibreOffice: keep the DOCX itself
        docx_resume(p, out, variant=how[3:])
        return out
    out = FILES / f"{p.key}.{how}.pdf"
    if how.startswith("tex_"):
        if not latex_pdf(latex_resume(p, how[4:]), out):
            raise SystemExit("pdflatex (Debian's texlive-latex-base) is needed for the LaTeX resumes")
        return out
    if how == "scan":
        scan_pdf(p, out)
        return out
    chromium_pdf(html_resume(p, how[5:]), out)
    return out


# ------------------------------------------------------------------------------------------------
# LinkedIn's own export ("Save to PDF"), as its layout is: US Letter, one typeface in a few sizes, a sidebar
# at the left margin (Contact, Top Skills, Languages) and the main column beside it (the name in the largest
# type, the headline and the place, then Summary, Experience and Education), "Page N of M" at every foot
# ------------------------------------------------------------------------------------------------
LI_TODAY = (2026, 12)  # the export's date: how long a current role has lasted, as the export prints it


def _li_span(start: tuple[int, int], end: tuple[int, int] | None) -> str:
    """LinkedIn's length of a role, its first and last months counted: "(2 years 3 months)", "(11 months)"."""
    y1, m1 = start
    y2, m2 = end or LI_TODAY
    months = (y2 - y1) * 12 + (m2 - m1) + 1
    years, rest = divmod(months, 12)
    parts = ([f"{years} year{'s' if years > 1 else ''}"] if years else []) + (
        [f"{rest} month{'s' if rest > 1 else ''}"] if rest else [])
    return " ".join(parts) or "less than a year"


def li_export(p: Person, out: Path) -> None:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    reg, _ = _fonts()
    c = canvas.Canvas(str(out), pagesize=letter)
    w, h = letter
    side_x, main_x, bottom = 21.6, 223.6, 50.0
    # the sidebar
    y = h - 59
    rows: list[tuple[str, float, float]] = [("Contact", 13, 18.6), (p.phone, 10.5, 17.6), (p.email, 10.5, 24.5),
                                            (f"{p.linkedin} (LinkedIn)", 11, 36), ("Top Skills", 13, 18.6)]
    rows += [(skill, 10.5, 17.6) for skill in p.skills]
    rows += [("Languages", 13, 18.6), ("English (Full Professional)", 10.5, 17.6)]
    if p.region == "IN":
        rows.append(("Hindi (Native or Bilingual)", 10.5, 17.6))
    for text, size, step in rows:
        c.setFont(reg, size)
        c.drawString(side_x, y, text)
        y -= step
    # the main column; its pages
    pages: list[list[tuple[str, float, float]]] = [[]]
    y = h - 74

    def put(text: str, size: float, step: float) -> None:
        nonlocal y
        if y < bottom:
            pages.append([])
            y = h - 64
        pages[-1].append((text, size, y))
        y -= step

    put(p.name, 26, 16.6)
    for piece in _wrap(p.headline, 62):
        put(piece, 12, 14.4)
    put(p.location, 12, 38.8)
    put("Summary", 15.8, 24.3)
    for piece in _wrap(p.summary, 62):
        put(piece, 12, 18)
    y -= 60
    put("Experience", 15.8, 29.3)
    k = 0
    while k < len(p.jobs):
        n = 1
        while k + n < len(p.jobs) and p.jobs[k + n].employer == p.jobs[k].employer:
            n += 1
        group = p.jobs[k: k + n]  # the roles in a row at one employer: under its name, with their total time
        put(p.jobs[k].employer, 12, 15.9)
        if len(group) > 1:
            put(_li_span(group[-1].start, group[0].end), 10.5, 21.6)
        for job in group:
            for piece in _wrap(job.title, 64):
                put(piece, 11.5, 14.2)
            when = [f"{LONG_MONTHS[d[1] - 1]} {d[0]}" if d else "Present" for d in (job.start, job.end)]
            put(f"{when[0]} - {when[1]} ({_li_span(job.start, job.end)})", 10.5, 14.7)
            put(job.location, 10.5, 21.4)
            for bullet in job.bullets:
                for piece in _wrap(bullet, 74):
                    put(piece, 10.5, 18)
            y -= 12
        k += len(group)
    y -= 20
    put("Education", 15.8, 29.3)
    for school in p.schools:
        put(school.institution, 12, 15.9)
        put(f"{school.degree} · ({school.start} - {school.end})", 10.5, 28)
    for n, page in enumerate(pages):
        for text, size, at in page:
            c.setFont(reg, size)
            c.drawString(main_x, at, text)
        c.setFont(reg, 9)
        c.drawString(384, 10.9, f"Page {n + 1} of {len(pages)}")
        c.showPage()
    c.save()


# ------------------------------------------------------------------------------------------------
# LaTeX (Debian's TeX: pdflatex, article class): ligatures from the fonts themselves, real hyphenation
# ------------------------------------------------------------------------------------------------
def _tex(s: str) -> str:
    out = []
    for ch in s:
        out.append({"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
                    "•": r"\textbullet{}", "·": r"\textperiodcentered{}", "—": "---", "–": "--",
                    "\t": r"\hfill "}.get(ch, ch))
    return "".join(out)


def latex_resume(p: Person, variant: str) -> str:
    names = section_names(p)
    unicode_map = variant == "one"  # many templates add this for ATS; the sidebar one does not
    # one variant in T1 encoding (without cm-super pdfTeX falls back to bitmap Type 3 fonts with no Unicode
    # map), the other in TeX's default OT1 with the Type 1 Computer Modern fonts
    fontenc = [r"\usepackage[T1]{fontenc}"] if unicode_map else []
    pre = [r"\documentclass[10pt]{article}", *fontenc, r"\usepackage[utf8]{inputenc}",
           r"\usepackage[margin=0.7in]{geometry}", r"\pagestyle{empty}", r"\setlength{\parindent}{0pt}"]
    if unicode_map:
        pre += [r"\input{glyphtounicode}", r"\pdfgentounicode=1"]
    body: list[str] = []

    def section(title: str) -> None:
        body.append(r"\section*{\large " + _tex(title) + r"}\vspace{-6pt}\hrule\vspace{4pt}")

    def main_part() -> None:
        section(names["summary"])
        body.append(_tex(p.summary) + r"\par")
        section(names["experience"])
        for job in p.jobs:
            for line in entry_lines(p, job, p.entry_style):
                body.append(r"\textbf{" + _tex(line).replace(r"\hfill ", r"} \hfill \textbf{") + r"}\\")
            body.append(r"\vspace{-8pt}\begin{itemize}\setlength{\itemsep}{0pt}")
            body.extend([r"\item " + _tex(b) for b in job.bullets])
            body.append(r"\end{itemize}")
        for title, lines in extra_sections(p):
            section(title)
            body.extend([_tex(x) + r"\par" for x in lines])

    def side_part() -> None:
        section(names["skills"])
        body.extend([_tex(x) + r"\par" for x in skill_lines(p)])
        section(names["education"])
        for s_ in p.schools:
            body.append(r"\textbf{" + _tex(s_.institution) + r"}\\ " + _tex(s_.degree) + r" \hfill "
                        + f"{s_.start} -- {s_.end}" + r"\par")

    if variant == "one":
        body.append(r"\begin{center}{\Huge\bfseries " + _tex(display_name(p)) + r"}\\[4pt]")
        body.append(_tex(" | ".join([p.location, p.phone, p.email, p.linkedin])) + r"\end{center}")
        main_part()
        side_part()
    else:
        body.append(r"\begin{minipage}[t]{0.30\textwidth}")
        body.append(r"{\Huge\bfseries " + _tex(p.first) + r"\\ " + _tex(p.last) + r"}\par\vspace{8pt}")
        body.extend([_tex(x) + r"\par" for x in contact_bits(p)])
        side_part()
        body.append(r"\end{minipage}\hfill\begin{minipage}[t]{0.64\textwidth}")
        main_part()
        body.append(r"\end{minipage}")
    if p.region == "IN":
        section("Personal Details")
        body.extend([_tex(x) + r"\par" for x in personal_details(p)])
    return "\n".join(pre + [r"\begin{document}"] + body + [r"\end{document}", ""])


def latex_pdf(doc: str, out: Path) -> bool:
    pdflatex = shutil.which("pdflatex")
    if not pdflatex:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "resume.tex").write_text(doc, encoding="utf-8")
        done = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "resume.tex"], cwd=tmp,
                              capture_output=True, timeout=120)
        if done.returncode != 0:
            raise SystemExit("pdflatex failed:\n" + done.stdout.decode(errors="replace")[-2000:])
        shutil.move(str(Path(tmp) / "resume.pdf"), out)
    return True


RENDERERS_3 = ["tex_one", "tex_two", "tex_one", "tex_two"]
RENDERERS_2 = ["rl_one", "docx_textbox", "html_icons", "lo_plain", "rl_words", "html_two", "docx_plain",
               "rl_two_bottom", "lo_header", "html_table", "docx_tables", "rl_one_ttf"]


#: the third batch (third_batch() in people.py): single-date roles, a row split over a page, a wrapped place, a scan
RENDERERS_4 = ["rl_one", "rl_table_split", "html_two", "scan", "docx_header"]


def main() -> None:
    """Everything (wiping files/ and facts/), or with ``--third`` or ``--linkedin`` only that batch (the others
    left as committed: rendering them needs LibreOffice and TeX)."""
    third_only = "--third" in sys.argv[1:]
    linkedin_only = "--linkedin" in sys.argv[1:]
    for d in (FILES, FACTS):
        if d.exists() and not (third_only or linkedin_only):
            shutil.rmtree(d)
        d.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[Person, str]] = []
    if not (third_only or linkedin_only):
        for i, p in enumerate(make_people()):
            jobs.append((p, RENDERERS[i % len(RENDERERS)] if i < 42 else RENDERERS_2[(i - 42) % len(RENDERERS_2)]
                         if i < 54 else RENDERERS_3[(i - 54) % len(RENDERERS_3)]))
    if not linkedin_only:
        jobs += list(zip(third_batch(), RENDERERS_4))
    if not third_only:
        jobs += [(p, "li_export") for p in linkedin_batch()]
    for p, how in jobs:
        for old in FILES.glob(f"{p.key}.*"):
            old.unlink()
        out = render(p, how)
        facts = facts_of(p)
        facts["file"] = out.name
        facts["renderer"] = how
        (FACTS / f"{p.key}.json").write_text(json.dumps(facts, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{out.name}")


if __name__ == "__main__":
    main()
