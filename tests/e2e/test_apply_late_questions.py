"""Questions that appear while the form is filled are answered before submit, or go to a person."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.apply_engine.browser import Browser
from core.apply_engine.engine import ApplyEngine
from core.storage import Storage
from tests.support.apply_helpers import engine_request, make_application, tune
from tests.support.form_corpus import CorpusServer, load_corpus


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


@pytest.fixture
def server() -> Iterator[CorpusServer]:
    srv = CorpusServer()
    yield srv
    srv.close()


def test_questions_revealed_by_an_answer_are_filled_before_submit(settings, db, browser, server):
    tune(settings, confirm_timeout_s=5.0)
    [page] = load_corpus(["company_conditional"])
    ids = make_application(db, settings, server.url(page))
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(engine_request(db, settings, ids))
    assert out.outcome == "submitted", out.reason
    [(path, body)] = server.posts
    assert path == "/company_conditional/submit"
    assert b'name="ctc_lpa"\r\n\r\n18\r\n' in body and b'name="notice_days"\r\n\r\n30\r\n' in body
    labels = {f["label"]: f["value"] for f in out.fields()}
    assert labels["Current CTC (LPA)"] == "18" and labels["Notice period (days)"] == "30"


def test_a_revealed_required_question_without_an_answer_goes_to_a_person(settings, db, browser, server):
    tune(settings, confirm_timeout_s=5.0)
    [page] = load_corpus(["company_conditional"])
    profile = __import__("tests.support.apply_helpers", fromlist=["profile_dict"]).profile_dict()
    profile["identity"]["location"] = "Singapore"  # reveals "Do you hold a Singapore Employment Pass?"
    profile["identity"]["phone"] = "+65 8123 4567"
    ids = make_application(db, settings, server.url(page), profile=profile)
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(engine_request(db, settings, ids))
    assert out.outcome == "needs_human", out.reason
    assert out.unanswered == ["Do you hold a Singapore Employment Pass?"]
    assert "appeared while filling" in out.reason
    assert server.posts == []
