"""A form embedded in a company's page (Greenhouse's iframe) is recognised, filled and submitted inside
its iframe, and confirmed there; nothing outside it is touched."""

from __future__ import annotations

from core.apply_engine.engine import ApplyEngine
from core.storage import Storage
from tests.support.apply_helpers import engine_request, make_application, tune
from tests.support.form_corpus import CorpusServer, load_corpus


def test_an_embedded_greenhouse_form_is_submitted_inside_its_iframe(settings, db, browser):
    tune(settings, confirm_timeout_s=8.0)
    server = CorpusServer()
    try:
        [page] = load_corpus(["greenhouse_embed"])
        ids = make_application(db, settings, server.url(page))
        storage = Storage(settings.storage_path)
        out = ApplyEngine(settings, db, storage, browser=browser).run(engine_request(db, settings, ids))
    finally:
        server.close()
    assert out.outcome == "submitted", out.reason
    assert out.ats == "greenhouse" and out.confirmation and out.confirmation["kind"] in ("text", "element")
    [(path, body)] = server.posts  # the application, and not the newsletter form of the company page
    assert path == "/embed/job_app/submit"
    assert b"asha@example.com" in body and b"Bengaluru" in body
    import json

    receipt = json.loads(storage.resolve(out.receipt).read_text())
    assert receipt["ats"] == "greenhouse" and "grnhse_iframe" in receipt["ats_mark"]
