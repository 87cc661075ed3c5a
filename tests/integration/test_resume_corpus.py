"""The whole resume corpus (tests/corpus/resumes/) against its expected facts, at the ratios the parser reaches.

The corpus is 67 invented people rendered by reportlab, python-docx, LibreOffice, Chromium, pdfLaTeX, a scan and
LinkedIn's own "Save to PDF" layout; see
tests/corpus/resumes/generate.py. bench/resumes.py prints the same figures per field.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from core.candidates.resume import parse_resume

_PATH = Path(__file__).resolve().parents[1] / "corpus" / "resumes" / "scoring.py"


def _scoring():
    spec = importlib.util.spec_from_file_location("resume_corpus_scoring", _PATH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


scoring = _scoring()
CORPUS = scoring.load_corpus()


@pytest.fixture(scope="module")
def results() -> list[tuple[dict, dict]]:
    return [(facts, parse_resume(scoring.FILES / facts["file"])) for facts in CORPUS]


def test_the_corpus_is_forty_resumes_or_more_from_every_tool() -> None:
    assert len(CORPUS) >= 40
    kinds = Counter(f["renderer"].split("_")[0] for f in CORPUS)
    assert set(kinds) >= {"rl", "docx", "html", "lo", "tex", "scan", "li"}, kinds
    for facts in CORPUS:
        assert (scoring.FILES / facts["file"]).is_file(), facts["file"]


def test_facts_and_skills_reach_the_goal_ratios(results) -> None:
    total = scoring.Score()
    for facts, parsed in results:
        total.merge(scoring.score(facts, parsed))
    misses = "\n".join(m for m in total.misses if "skill" not in m)
    assert total.fact_ratio >= 0.99, misses
    # every field on its own, so one field cannot hide behind the others
    for field in scoring.FIELDS:
        assert total.right[field] / total.total[field] >= 0.94, (field, misses)
    assert total.skills_precision >= 0.99
    assert total.skills_recall >= 0.99


def test_identity_is_right_on_every_resume(results) -> None:
    for facts, parsed in results:
        ident = parsed["identity"]
        assert f"{ident['first_name']} {ident['last_name']}" == facts["name"], facts["file"]
        assert ident["phone"] == facts["phone"], facts["file"]
        assert scoring.norm(ident["location"]) == scoring.norm(facts["location"]), facts["file"]


def test_scans_are_read_by_ocr_and_no_field_is_surer_than_the_ocr(results) -> None:
    scans = [(f, p) for f, p in results if f["renderer"] == "scan"]
    assert scans
    for _facts, parsed in scans:
        assert parsed["resume"]["ocr"] is True
        ocr = parsed["confidence"]["ocr"]
        assert 0.8 <= ocr <= 1.0
        assert all(v <= ocr for k, v in parsed["confidence"].items() if k != "ocr")


def test_single_date_roles_are_kept_and_only_their_dates_are_guessed(results) -> None:
    """The corpus's roles are set out clearly: none is guessed but those the resume dates once (a lone year or
    month: start and end that date); "Since 2022" and "2020 onwards" are current roles, read, not guessed."""
    single = 0
    for facts, parsed in results:
        for exp in facts["experience"]:
            role = next(r for r in parsed["experience"] if scoring.norm(r["employer"]) == scoring.norm(exp["employer"]))
            if exp["start"] == exp["end"]:
                single += 1
                assert role["guessed"] == ["dates"], (facts["file"], role)
            else:
                assert role["guessed"] == [], (facts["file"], role)
        if any(r["guessed"] for r in parsed["experience"]):
            assert "experience" in parsed["to_confirm"], facts["file"]
    assert single >= 5


def test_only_scans_have_ocr_corrections(results) -> None:
    corrected = [f["file"] for f, p in results if p["resume"].get("ocr_corrections")]
    assert corrected and all(f.endswith(".scan.pdf") for f in corrected), corrected


def test_linkedin_exports_keep_each_role_at_its_employer_and_the_place_under_the_headline(results) -> None:
    """LinkedIn's export: several roles under one employer's name and their total time ("3 years 6 months") are
    each that employer's, read for sure; the place is the line under the headline; "Page 1 of 2" is no text."""
    exports = [(f, p) for f, p in results if f["renderer"] == "li_export"]
    assert len(exports) == 4
    for facts, parsed in exports:
        got = [(e["employer"], e["title"], e["start"], e["end"]) for e in parsed["experience"]]
        assert got == [(e["employer"], e["title"], e["start"], e["end"]) for e in facts["experience"]], facts["file"]
        assert all(e["guessed"] == [] for e in parsed["experience"]), facts["file"]
        assert parsed["identity"]["location"] == facts["location"], facts["file"]
        assert parsed["to_confirm"] == [], facts["file"]
        text = " ".join(b for e in parsed["experience"] for b in e["bullets"])
        assert "Page 1 of" not in text and "year" not in " ".join(e["employer"] for e in parsed["experience"])
    schools = {f["file"]: p["education"] for f, p in exports}
    assert [(e["degree"], e["field"], e["start"], e["end"]) for e in schools["64-nandini-rao.li_export.pdf"]] == [
        ("Bachelor of Technology", "Computer Science", "2013", "2017")]
