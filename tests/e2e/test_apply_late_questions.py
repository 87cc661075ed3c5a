"""Questions that appear while the form is filled are answered before submit, or go to a person."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.apply_engine.engine import ApplyEngine
from core.storage import Storage
from tests.support.apply_helpers import engine_request, make_application, tune
from tests.support.form_corpus import CorpusServer, load_corpus


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


def test_questions_a_slow_script_adds_seconds_after_load_are_waited_for_before_submit(settings, db, browser, server):
    """company_slow_render adds a required question from a setInterval poll (~2.4 s) and one from a 3 s timer:
    neither holds the idle wait, both are waited for before the last read (apply.late_render_s)."""
    tune(settings, confirm_timeout_s=5.0)
    [page] = load_corpus(["company_slow_render"])
    ids = make_application(db, settings, server.url(page))
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(engine_request(db, settings, ids))
    assert out.outcome == "submitted", out.reason
    [(path, body)] = server.posts
    assert b'name="ctc"\r\n\r\n18\r\n' in body and b'name="np"\r\n\r\n30\r\n' in body
    receipt = __import__("json").loads(Storage(settings.storage_path).resolve(out.receipt or "").read_text())
    assert receipt["late_questions"] == ["Current CTC (LPA)", "Notice period (days)"]
    assert receipt["late_render"]["late"] and receipt["late_render"]["intervals"] == 1


def test_without_the_late_wait_the_slow_questions_are_missed(settings, db, browser, server):
    """The control: with apply.late_render_s = 0 the form is read before its slow questions exist."""
    tune(settings, confirm_timeout_s=3.0, late_render_s=0.0)
    [page] = load_corpus(["company_slow_render"])
    ids = make_application(db, settings, server.url(page))
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(engine_request(db, settings, ids))
    assert "Current CTC (LPA)" not in [f["label"] for f in out.fields()]
    assert all(b'name="ctc"' not in body for _, body in server.posts)  # sent without its required questions
