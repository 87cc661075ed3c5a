"""A form drawn in web components' open shadow roots (SmartRecruiters' oneclick-ui: corpus page
smartrecruiters_shadow) is filled, its submit button found and pressed inside the shadow root, its refusal
read from inside spl-input's shadow root and fixed, and its thank-you (also in a shadow root) seen."""

from __future__ import annotations

import json

from core.apply_engine.engine import ApplyEngine
from core.storage import Storage
from tests.support.apply_helpers import engine_request, make_application, tune
from tests.support.form_corpus import CorpusServer, load_corpus, profile


def test_a_form_in_shadow_roots_is_submitted_and_its_refusal_and_thanks_are_read(settings, db, browser):
    tune(settings, confirm_timeout_s=10.0)
    server = CorpusServer()
    try:
        [page] = load_corpus(["smartrecruiters_shadow"])
        ids = make_application(db, settings, server.url(page), profile=profile())
        out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(
            engine_request(db, settings, ids))
    finally:
        server.close()
    assert out.outcome == "submitted", out.reason
    assert out.ats == "smartrecruiters"
    [(path, body)] = server.posts  # the page's own check refused the first click before posting
    assert path == "/smartrecruiters_shadow/submit"
    sent = json.loads(body)
    assert sent["phoneNumber"] == "9845000000" and sent["firstName"] == "Asha" and sent["sq-country"] == "India"
    assert sent["consent"] is True and sent["resume"].endswith(".pdf") and sent["sq-relocate"] == "yes"
    assert out.confirmation and "Thank you for applying" in out.confirmation["detail"]
