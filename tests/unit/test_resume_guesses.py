"""Resume parsing where the layout breaks a fact apart or the parser has to guess: a table row over a page break,
a place wrapped in a narrow column, OCR misreadings of skills, roles with a single date, per-role guesses."""

from __future__ import annotations

import io

from core.candidates import skills as vocab
from core.candidates.resume.extract import read_resume_bytes
from core.candidates.resume.parse import parse_education, parse_experience, parse_lines, parse_skills, role_dates


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
    # page 2: the row's cells go on over two lines, "(Deemed University)" under the institution alone
    c.showPage()
    c.setFont("Helvetica", 11)
    y = 710
    for cells in (["Communication", "Technology"], ["", "(Deemed University)"], next_row):
        if not any(cells):
            continue
        for x, text in zip((90, 234, 378), cells):
            if text:
                c.drawString(x, y, text)
        y -= 14 if cells[0] == "Communication" else 25
    c.drawString(90, y - 10, "SKILLS")
    c.drawString(90, y - 30, "Python, SQL")
    c.save()
    return buf.getvalue()


def test_a_table_cell_that_goes_on_over_a_page_break_is_one_cell() -> None:
    lines = read_resume_bytes(_table_over_a_page_break([]), "t.pdf").lines
    row = next(ln for ln in lines if ln.startswith("B.E."))
    assert "Vellore Institute of Technology (Deemed University)" in row and "Electronics and Communication" in row
    assert not any(ln.startswith("Communication") for ln in lines)
    profile = parse_lines(lines)
    assert [e["institution"] for e in profile["education"]] == ["Vellore Institute of Technology (Deemed University)"]


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


def _roles(lines: list[str]) -> list[tuple[str, str, str | None, str | None, list[str]]]:
    return [(e["employer"], e["title"], e["start"], e["end"], e["guessed"]) for e in parse_experience(lines)]


def test_a_role_with_a_single_date_is_kept_and_its_dates_are_marked_guessed() -> None:
    assert _roles(["Software Engineer Intern, Quantive Labs   2021", "• Built the intake form"]) == [
        ("Quantive Labs", "Software Engineer Intern", "2021", "2021", ["dates"])]
    assert _roles(["Kestrel Robotics   Mar 2022", "Summer Intern, Pune"]) == [
        ("Kestrel Robotics", "Summer Intern", "2022-03", "2022-03", ["dates"])]
    assert _roles(["Company: Zyphr | Designation: Data Analyst", "Duration: 2021 | Location: Pune"]) == [
        ("Zyphr", "Data Analyst", "2021", "2021", ["dates"])]
    assert _roles(["Software Developer (Contract), Loopwise   Jan 2021"]) == [
        ("Loopwise", "Software Developer (Contract)", "2021-01", "2021-01", ["dates"])]


def test_since_a_date_is_a_current_role_read_not_guessed() -> None:
    assert _roles(["Data Analyst, Kestrel Robotics, Pune   Since 2020"]) == [
        ("Kestrel Robotics", "Data Analyst", "2020", "present", [])]
    assert _roles(["Backend Developer at Loopwise", "from Mar 2019 | Remote"]) == [
        ("Loopwise", "Backend Developer", "2019-03", "present", [])]
    # a start with an open dash: the end is taken as present, and that is a guess
    assert _roles(["Quantive   2020 –", "Data Analyst"]) == [("Quantive", "Data Analyst", "2020", "present", ["dates"])]
    # a range wrapped after its dash is a range again
    assert _roles(["Quantive   Jan 2020 –", "Present", "Data Analyst"]) == [
        ("Quantive", "Data Analyst", "2020-01", "present", [])]


def test_a_year_in_a_sentence_or_bullet_is_no_role() -> None:
    lines = ["Acme Corp   2018 - 2020", "Platform Engineer", "• I joined the platform team in 2019",
             "In 2021 the team grew to forty people and moved to a new office in town."]
    assert [e["start"] for e in parse_experience(lines)] == ["2018"]
    for sentence in ("Joined Acme in 2021", "Reduced cost in 2021 by 3"):
        assert role_dates(sentence) is None
    d = role_dates("Jan – Mar 2022 | Pune")  # the months share the year: a range, not a lone date
    assert d is not None and (d.start, d.end, d.how) == ("2022-01", "2022-03", "range")


def test_each_role_says_which_fields_were_guessed() -> None:
    # no label, table column, job-title or company word says which is the employer and which the title
    assert _roles(["Zentry | Loopwise | 2020 - 2022"]) == [("Zentry", "Loopwise", "2020", "2022", ["employer", "title"])]
    # a clear title: the one part left beside it is the employer
    assert _roles(["Zentry   2022 – 2024", "Business Analyst, Denver"]) == [
        ("Zentry", "Business Analyst", "2022", "2024", [])]
    # a table's header row names its columns: read by them, however odd the title
    assert _roles(["Company   Role   Duration", "Kestrel, Pune   Platform Ninja   2019 - 2021"]) == [
        ("Kestrel", "Platform Ninja", "2019", "2021", [])]
    assert _roles(["Company: Zyphr | Designation: Ninja", "Duration: 2019 - 2021"])[0][4] == []


def test_a_guessed_role_puts_experience_to_confirm() -> None:
    base = ["Ravi Kumar", "ravi@example.com", "Experience"]
    clear = parse_lines(base + ["Data Analyst, Kestrel Robotics   2019 - 2021"])
    assert clear["confidence"]["experience"] >= 0.8 and "experience" not in clear["to_confirm"]
    guessed = parse_lines(base + ["Data Analyst, Kestrel Robotics   2019 - 2021",
                                  "Data Intern, Quantive Labs   2018"])
    assert [e["guessed"] for e in guessed["experience"]] == [[], ["dates"]]
    assert guessed["confidence"]["experience"] < 0.8 and "experience" in guessed["to_confirm"]
    assert guessed["work"]["years_experience"] == 2.5  # 2019-2021, and half of 2018 for the lone year


def test_a_role_dated_once_is_written_once_in_the_tailored_resume() -> None:
    from core.documents.tailor import resume_doc

    profile = {"identity": {"first_name": "Ravi", "last_name": "Kumar"},
               "experience": [{"employer": "Quantive Labs", "title": "Data Intern", "start": "2021", "end": "2021",
                               "guessed": ["dates"]},
                              {"employer": "Kestrel", "title": "Data Analyst", "start": "2022-03", "end": "present"}]}
    doc = resume_doc(profile, summary=None, skills=[], roles=[(r, []) for r in profile["experience"]])
    asides = [b.aside for b in doc.blocks if b.kind == "role"]
    assert asides[0] == "2021" and "–" in asides[1]


def test_one_date_beside_nothing_that_reads_as_a_job_is_no_role() -> None:
    lines = ["Data Analyst, Kestrel Robotics   2019 - 2021", "• Built the dashboards", "Employee of the Year, 2021",
             "Project: Payments revamp (2020)"]
    roles = parse_experience(lines)
    assert [(r["employer"], r["title"]) for r in roles] == [("Kestrel Robotics", "Data Analyst")]
    assert roles[0]["bullets"] == ["Built the dashboards", "Employee of the Year, 2021", "Project: Payments revamp (2020)"]


def test_a_profile_files_roles_are_the_operators_own_and_carry_no_guess(tmp_path) -> None:
    import pytest

    from core.candidates.profile import load_profile_file
    from core.errors import InvalidInput

    good = tmp_path / "good.toml"
    good.write_text('[[experience]]\nemployer = "Loopwise"\ntitle = "Data Intern"\nstart = "2021"\nend = "2021"\n')
    assert load_profile_file(good)["experience"][0]["employer"] == "Loopwise"
    bad = tmp_path / "bad.toml"
    bad.write_text('[[experience]]\nemployer = "Loopwise"\nguessed = ["dates"]\n')
    with pytest.raises(InvalidInput, match="guessed"):
        load_profile_file(bad)


def test_an_employer_named_with_its_city_is_no_location() -> None:
    assert _roles(["Research Intern — IISc Bangalore (2019)"]) == [
        ("IISc Bangalore", "Research Intern", "2019", "2019", ["dates"])]
    roles = parse_experience(["Engineer, Acme Labs, Greater Noida   2019 - 2020"])
    assert (roles[0]["employer"], roles[0]["location"]) == ("Acme Labs", "Greater Noida")


def test_the_cli_table_marks_each_guessed_role() -> None:
    from rich.console import Console

    from cli.commands.candidates import _profile_table

    view = {"name": "Ravi Kumar", "experience": [
        {"employer": "Kestrel", "title": "Data Analyst", "start": "2022-03", "end": "present", "guessed": []},
        {"employer": "Quantive Labs", "title": "Data Intern", "start": "2021", "end": "2021", "guessed": ["dates"]}],
        "confidence": {"experience": 0.7}, "to_confirm": ["experience"]}
    console = Console(width=200, record=True)
    console.print(_profile_table(view))
    text = console.export_text()
    assert "Data Intern at Quantive Labs (2021 - 2021) [guessed: dates]" in text
    assert "Data Analyst at Kestrel (2022-03 - present) " in text and "Kestrel (2022-03 - present) [" not in text
