"""Resume parsing where the layout breaks a fact apart or the parser has to guess: a table row over a page break,
a place wrapped in a narrow column, OCR misreadings of skills, roles with a single date, per-role guesses."""

from __future__ import annotations

import io

from core.candidates import skills as vocab
from core.candidates.resume.extract import read_resume_bytes
from core.candidates.resume.parse import parse_education, parse_lines, parse_skills


def _table_over_a_page_break(next_row: list[str]) -> bytes:
    """A three-cell table row at the foot of page 1 whose cells go on at the top of page 2 (LibreOffice splits
    a row so), followed on page 2 by ``next_row``'s cells."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    c.setFont("Helvetica", 11)
    c.drawString(90, 720, "Ravi Kumar")
    c.drawString(90, 700, "ravi@example.com")
    c.drawString(90, 680, "EDUCATION")
    for x, text in zip((90, 234, 378), ("Degree", "Institution", "Year")):
        c.drawString(x, 110, text)
    for x, text in zip((90, 234, 378), ("B.E. in Electronics and", "Vellore Institute of", "2017 - 2021")):
        c.drawString(x, 87, text)
    c.showPage()
    c.setFont("Helvetica", 11)
    y = 710
    for cells in (["Communication", "Technology"], next_row):
        for x, text in zip((90, 234, 378), cells):
            c.drawString(x, y, text)
        y -= 25
    c.drawString(90, y - 10, "SKILLS")
    c.drawString(90, y - 30, "Python, SQL")
    c.save()
    return buf.getvalue()


def test_a_table_cell_that_goes_on_over_a_page_break_is_one_cell() -> None:
    lines = read_resume_bytes(_table_over_a_page_break([]), "t.pdf").lines
    row = next(ln for ln in lines if ln.startswith("B.E."))
    assert "Vellore Institute of Technology" in row and "Electronics and Communication" in row
    assert not any(ln.startswith("Communication") for ln in lines)
    profile = parse_lines(lines)
    assert [e["institution"] for e in profile["education"]] == ["Vellore Institute of Technology"]


def test_the_next_table_row_at_the_top_of_a_page_is_not_joined() -> None:
    # page 2 starts with the rest of the row, then a full row of its own: only the rest is joined
    lines = read_resume_bytes(_table_over_a_page_break(["MCA", "Anna University", "2021 - 2023"]), "t.pdf").lines
    assert any(ln.startswith("MCA") and "Anna University" in ln for ln in lines)
    assert all("Anna" not in ln for ln in lines if ln.startswith("B.E."))


def test_a_place_wrapped_after_the_comma_in_a_narrow_column_stays_with_its_school() -> None:
    lines = ["Anna University —2016 –", "MCA   2020", "Delhi Public School,   2014", "Noida — Class XII   –",
             "(CBSE)   2016", "Notice Period: 30 days"]
    schools = parse_education(lines)
    assert [s["institution"] for s in schools] == ["Anna University", "Delhi Public School, Noida"]
    assert (schools[1]["start"], schools[1]["end"]) == ("2014", "2016")
    # a degree on the next line is not a place
    schools = parse_education(["University of Leeds,   2014", "BSc Computing   2018"])
    assert [s["institution"] for s in schools] == ["University of Leeds"]


def test_ocr_corrections_are_one_known_confusion_to_a_vocabulary_term() -> None:
    assert vocab.ocr_correction("HTMLS5") == "HTML"  # the S read beside the 5 of HTML5
    assert vocab.ocr_correction("Pyth0n") == "Python"
    assert vocab.ocr_correction("0racle") == "Oracle"
    assert vocab.ocr_correction("5QL") == "SQL"
    for left in ("HTML5", "Kafka", "G0", "Dj4ngo", "Kafkaa", "Stakeholder Management"):
        assert vocab.ocr_correction(left) is None  # a real name, too short, or not an OCR confusion


def test_ocr_corrections_only_for_ocr_text() -> None:
    found: list[tuple[str, str]] = []
    assert parse_skills(["Linux, HTMLS5, Pyth0n"], "", ocr=True, corrections=found)[0] == ["Linux", "HTML", "Python"]
    assert found == [("HTMLS5", "HTML"), ("Pyth0n", "Python")]
    # a text PDF's characters are what its author typed: never corrected
    assert parse_skills(["Linux, HTMLS5, Pyth0n"], "")[0] == ["Linux", "HTMLS5", "Pyth0n"]
    lines = ["Ravi Kumar", "ravi@example.com", "Skills", "Linux, HTMLS5"]
    scanned = parse_lines(lines, ocr=True)
    assert scanned["skills"] == ["Linux", "HTML"] and scanned["ocr_corrections"] == [{"read": "HTMLS5",
                                                                                       "skill": "HTML"}]
    assert "skills" in scanned["to_confirm"]  # a corrected skill is a guess a person confirms
    assert "ocr_corrections" not in parse_lines(lines)
