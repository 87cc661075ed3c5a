"""Resume files built in the test run (reportlab PDFs, python-docx with a table, text), never checked in."""

from __future__ import annotations

import io
from pathlib import Path

RESUME_TEXT = """PRIYA SHARMA
Bengaluru, Karnataka | priya.sharma@example.com | +91 98450 12345
linkedin.com/in/priya-sharma | https://github.com/priyasharma

Summary
Backend engineer building payment systems in Python and Go.

Work Experience
Senior Software Engineer, Razorpay, Bengaluru          Jan 2021 – Present
• Led migration of the payment ledger to PostgreSQL, cutting p99 latency by 40%
• Built k8s operators in golang for 120 microservices
Software Engineer | Flipkart | Jun 2018 - Dec 2020
- Developed REST APIs in Django serving 2M requests per day
- Mentored 4 engineers on code review and testing

Infosys Ltd
Systems Engineer   07/2016 – 05/2018
* Maintained Java 8 batch jobs for a banking client

Education
B.Tech in Computer Science, IIT Madras, 2012 - 2016

Skills
Python, Go, ReactJS, React Native, AWS, Docker, js
"""

RESUME_MARKDOWN = """# Arjun Mehta
**Pune, India** · arjun.mehta@example.org · +91-99220-33445 · [GitHub](https://github.com/arjunm)

## Summary
Data engineer who likes reliable pipelines.

## Experience
### Data Engineer, Thoughtworks — Mar 2020 to Present
- Built Airflow DAGs moving 3 TB daily into BigQuery
- Wrote dbt models for finance reporting

### Analyst, Mu Sigma — Jul 2017 to Feb 2020
- Automated weekly reports with Pandas and SQL

## Education
- M.Sc in Statistics, University of Pune, 2015 - 2017

## Skills
- PySpark, Airflow, SQL, sklearn, Tableau
"""


def write_text(tmp: Path, name: str = "priya.txt", text: str = RESUME_TEXT) -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


def pdf_bytes(lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    ttf = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if ttf.is_file():  # a Unicode font keeps the bullets (Helvetica's encoding drops "•")
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("DejaVuSans", str(ttf)))
        font = "DejaVuSans"
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = 800
    for line in lines:
        if y < 60:
            c.showPage()
            y = 800
        c.setFont(font, 10)
        c.drawString(50, y, line)
        y -= 14
    c.save()
    return buf.getvalue()


def write_pdf(tmp: Path, name: str = "priya.pdf", text: str = RESUME_TEXT) -> Path:
    p = tmp / name
    p.write_bytes(pdf_bytes([line for line in text.splitlines()]))
    return p


def write_encrypted_pdf(tmp: Path, name: str = "locked.pdf") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_bytes(RESUME_TEXT.splitlines()))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="AES-128")
    p = tmp / name
    with p.open("wb") as fh:
        writer.write(fh)
    return p


def write_image_only_pdf(tmp: Path, name: str = "scan.pdf") -> Path:
    """A 'scanned' resume: one page holding only a picture of text, no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("RGB", (600, 300), "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(RESUME_TEXT.splitlines()[:10]):
        draw.text((10, 10 + i * 25), line, fill="black")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(img), 40, 400, width=500, height=250)
    c.save()
    p = tmp / name
    p.write_bytes(buf.getvalue())
    return p


def write_docx_with_table(tmp: Path, name: str = "kavya.docx") -> Path:
    """A DOCX whose contact block is in a table and whose experience is a table (a common template)."""
    import docx

    d = docx.Document()
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "Kavya Reddy"
    t.cell(0, 1).text = "kavya.reddy@example.net\n+91 90000 12345\nHyderabad, Telangana"
    d.add_heading("Professional Summary", level=1)
    d.add_paragraph("Full-stack developer focused on React and Node.js products.")
    d.add_heading("Experience", level=1)
    table = d.add_table(rows=3, cols=3)
    for r, (emp, title, dates) in enumerate([("Company", "Role", "Dates"),
                                             ("Swiggy", "Frontend Engineer", "Aug 2021 - Present"),
                                             ("Zoho Corporation", "Member Technical Staff", "Jul 2019 - Jul 2021")]):
        table.cell(r, 0).text = emp
        table.cell(r, 1).text = title
        table.cell(r, 2).text = dates
    d.add_paragraph("Rebuilt the checkout in ReactJS and TypeScript", style="List Bullet")
    d.add_heading("Education", level=1)
    d.add_paragraph("B.E. Computer Science, Osmania University, 2015 - 2019")
    d.add_heading("Skills", level=1)
    d.add_paragraph("JavaScript, TypeScript, ReactJS, React Native, Node.js, GraphQL")
    p = tmp / name
    d.save(str(p))
    return p


def write_corrupt_pdf(tmp: Path, name: str = "broken.pdf") -> Path:
    p = tmp / name
    p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is not a pdf body\n%%EOF")
    return p


def write_corrupt_docx(tmp: Path, name: str = "broken.docx") -> Path:
    p = tmp / name
    p.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    return p


def write_binary_junk(tmp: Path, name: str = "junk.txt") -> Path:
    p = tmp / name
    p.write_bytes(bytes(range(256)) * 8)
    return p


def write_empty(tmp: Path, name: str = "empty.pdf") -> Path:
    p = tmp / name
    p.write_bytes(b"")
    return p
