"""Forms that finish drawing after load: the engine reads them once the page is idle, not after a guess.

The page's own timers, fetches and script loads are counted in the browser (core.apply_engine.settle),
so a question fetched over the network or injected by a timer well after load is answered like any other,
and a page that never goes quiet is read as it stands after ``apply.settle_timeout_s``, the receipt
saying what was still pending.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from core.apply_engine.browser import Browser
from core.apply_engine.engine import ApplyEngine
from core.storage import Storage
from tests.support.apply_helpers import (
    THANKS,
    PageServer,
    company_form,
    engine_request,
    make_application,
    tune,
)

LATE_SLOT = '<div id="late-slot"></div>'
LATE_QUESTION = ('<label for="py">Years of Python experience *</label>'
                 '<input type="number" id="py" name="python_years" required>')


@pytest.fixture
def server() -> Iterator[PageServer]:
    gate = threading.Event()
    srv = PageServer({"/apply/thanks": THANKS})
    # The question list answers only after the page has loaded and gone quiet for a while.
    srv.pages["/questions"] = lambda h: (gate.wait(0.8), (200, json.dumps({"html": LATE_QUESTION})))[1]
    # A long poll that never answers while the test runs (released when the server closes).
    srv.pages["/long-poll"] = lambda h: (srv.release.wait(30), (200, "{}"))[1]
    srv.pages["/xhr"] = company_form(extra=LATE_SLOT + "<script>fetch('/questions').then(r => r.json())"
                                     ".then(q => { document.getElementById('late-slot').innerHTML = q.html; });</script>")
    srv.pages["/timer"] = company_form(extra=LATE_SLOT + "<script>setTimeout(() => { document.getElementById("
                                       f"'late-slot').innerHTML = {json.dumps(LATE_QUESTION)}; }}, 1500);</script>")
    srv.pages["/busy"] = company_form(extra="<script>fetch('/long-poll');</script>")
    srv.posts.clear()
    yield srv
    srv.close()


@pytest.fixture
def run(settings: Any, db: Any, browser: Browser):
    tune(settings, confirm_timeout_s=5.0, form_timeout_s=8.0)

    def _run(url: str) -> Any:
        ids = make_application(db, settings, url)
        return ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(
            engine_request(db, settings, ids))

    return _run


def _receipt(settings: Any, out: Any) -> dict[str, Any]:
    return json.loads((Storage(settings.storage_path).root / out.receipt).read_text())


@pytest.mark.parametrize("path", ["/xhr", "/timer"])
def test_question_that_arrives_after_load_is_answered_and_sent(run, server, settings, path):
    out = run(server.url(path))
    assert out.outcome == "submitted", out.reason
    [post] = server.posts
    assert post["fields"]["python_years"] == ["5"]
    assert any(f["label"] == "Years of Python experience" and f["source"] for f in out.fields())
    assert _receipt(settings, out)["page_settle"]["idle"] is True


def test_page_that_never_goes_idle_is_read_after_the_settle_limit_and_says_why(run, server, settings):
    tune(settings, settle_timeout_s=1.0)
    out = run(server.url("/busy"))
    assert out.outcome == "submitted", out.reason
    assert len(server.submissions("/apply")) == 1
    settle = _receipt(settings, out)["page_settle"]
    assert settle["idle"] is False and settle["pending"]["requests"] == 1
