"""Every page of the form corpus (tests/corpus/forms/) filled in real Chromium and checked against its sheet.

The pages are replicas, written by us, of the markup real ATSs serve (see each sheet's ``modelled_on``);
the engine was not written against them. Each page is loaded from 127.0.0.1 (its embedded iframes from
``localhost``, another origin), read, answered from the corpus profile, filled and read back exactly as
the engine does before the submit click (tests/support/form_corpus.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.apply_engine.answers import Documents
from core.apply_engine.browser import Browser
from tests.support.form_corpus import CorpusPage, CorpusServer, PageRun, load_corpus, profile, run_page, score_page

PAGES = load_corpus()
BY_STEM = {p.stem: p for p in PAGES}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    resume = tmp_path_factory.mktemp("corpus") / "asha-raman-resume.pdf"
    resume.write_bytes(b"%PDF-1.4\n% Asha Raman resume\n")
    server = CorpusServer()
    runs: dict[str, PageRun] = {}
    with Browser() as browser:
        def run(stem: str) -> PageRun:
            if stem not in runs:
                runs[stem] = run_page(browser, server, BY_STEM[stem], profile(), Documents(resume=resume))
            return runs[stem]
        run.resume = resume  # type: ignore[attr-defined]
        yield run
    server.close()


def test_the_corpus_covers_every_ats_of_the_issue() -> None:
    ats = {p.sheet["ats"] for p in PAGES}
    assert len(PAGES) >= 30
    assert {"greenhouse", "greenhouse_react", "lever", "ashby", "workable", "smartrecruiters", "teamtailor", "breezy",
            "recruitee", "personio", "jazzhr", "bamboohr", "icims", "zoho_recruit", "freshteam", "keka",
            "darwinbox", "google_forms", "generic"} <= ats
    for p in PAGES:
        assert p.sheet["questions"] and p.sheet.get("modelled_on"), p.stem
        assert (Path(__file__).resolve().parents[1] / "corpus" / "forms" / f"{p.stem}.html").is_file()


@pytest.mark.parametrize("stem", sorted(BY_STEM))
def test_page_is_filled_as_its_answer_sheet_says(corpus: Any, stem: str) -> None:
    page: CorpusPage = BY_STEM[stem]
    run = corpus(stem)
    score = score_page(page, run, Path(corpus.resume).name)
    assert score.wrong_answers == [], f"{stem}: wrong answers"
    assert score.misses == [], f"{stem}: questions missed, misread or unanswered"
    assert score.answer_right == score.questions
    assert not run.problems, run.problems


def test_hidden_inputs_and_honeypots_are_never_filled(corpus: Any) -> None:
    with_traps = [p for p in PAGES if p.sheet.get("never_filled")]
    assert len(with_traps) >= 4
    for p in with_traps:
        run = corpus(p.stem)
        assert run.never_filled == {}, p.stem
        assert not any(f.name in ("resumator-url-value", "website_confirm", "h-captcha-response") for f in run.fields)


def test_a_passive_captcha_never_pauses_the_site(corpus: Any) -> None:
    passive = [p for p in PAGES if p.sheet.get("captcha") == "passive"]
    assert {p.stem for p in passive} >= {"lever", "ashby", "greenhouse_legacy"}
    for p in passive:
        assert corpus(p.stem).block is None, p.stem


def test_an_answer_of_the_wrong_type_is_left_unanswered_with_the_reason(corpus: Any) -> None:
    run = corpus("personio")
    by_name = {a.name: a for a in run.sheet.answers}
    start = by_name["available_from"]  # a date input: a date (today + the notice period), never "30 days"
    assert start.type == "date" and start.source == "work.notice_period_days (today + 30 days)"
    assert start.value == (__import__("datetime").date.today() + __import__("datetime").timedelta(days=30)).isoformat()
    salary = by_name["custom_attribute_1201"]  # EUR per year: the profile's LPA is not converted to euros
    assert not salary.answered and "EUR" in salary.note
    assert "Salary expectations (gross per year in EUR)" in run.sheet.unanswered()


def test_the_employer_name_never_answers_a_yes_no_question(corpus: Any) -> None:
    for stem, name in (("lever", "cards[7f3a][field0]"), ("ashby", "0a1b_agree"), ("company_india", "bond")):
        ans = next(a for a in corpus(stem).sheet.answers if a.name == name)
        assert not ans.answered, (stem, ans.value, ans.source)
        assert ans.required and ans.label in corpus(stem).sheet.unanswered()


def test_an_embedded_greenhouse_form_is_recognised_and_only_it_is_filled(corpus: Any) -> None:
    run = corpus("greenhouse_embed")
    assert run.ats == "greenhouse"
    assert run.fields and all(f.frame == [0] and f.via == [0] for f in run.fields)  # the cross-origin iframe
    assert not any(f.name == "nl_email" for f in run.fields)  # the company page's newsletter box is not the form
    assert corpus("icims").ats == "icims"


def test_options_that_load_late_are_polled_for_and_a_search_box_is_typed_into(corpus: Any) -> None:
    run = corpus("greenhouse_react_lazy")
    by_name = {f.name: f for f in run.fields}
    assert by_name["question_41001"].options == ["Yes", "No"]  # after 1.2 s of "Loading..."
    assert by_name["qual"].options == ["B.E./B.Tech", "M.E./M.Tech", "MBA", "Other"]  # never the "Loading…" option
    assert by_name["school--0"].input_type == "autocomplete"  # "Type to search": filled by typing
    assert {a.name: a.value for a in run.sheet.answers}["school--0"] == "College of Engineering, Guindy"


def test_controls_inside_open_shadow_roots_are_read_and_filled(corpus: Any) -> None:
    run = corpus("smartrecruiters_shadow")
    assert run.ats == "smartrecruiters"
    by_name = {f.name: f for f in run.fields}
    assert {"firstName", "email", "resume", "sq-country", "consent"} <= set(by_name)  # nothing is in the light DOM
    assert by_name["sq-country"].options == ["Germany", "India", "United States"]
    assert by_name["firstName"].required and not by_name["sq-ctc"].required  # required said on the component
    assert run.after[by_name["firstName"].key] == "Asha"
    assert run.after[by_name["sq-country"].key] == "India"
    relocate = by_name["sq-relocate"]  # spl-radio options, each in its own shadow root, are one question
    assert relocate.type == "radio" and relocate.options == ["Yes", "No"] and relocate.required
    assert run.after[relocate.key] == "Yes"
