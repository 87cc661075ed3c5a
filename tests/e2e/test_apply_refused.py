"""After the submit click the page's validation messages are read and tied to their fields: the application
goes to a person naming the field and the page's message (not an unknown outcome, never a second click)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.apply_engine.browser import Browser
from core.apply_engine.engine import ApplyEngine
from core.storage import Storage
from tests.support.apply_helpers import PageServer, company_form, engine_request, make_application, tune

#: The page's own check at submit refuses the phone number format (after it read back fine).
REFUSES_PHONE = (
    "<script>const f = document.querySelector('form'); f.addEventListener('submit', e => { e.preventDefault();"
    " const p = f.querySelector('[name=phone]'); p.setAttribute('aria-invalid', 'true');"
    " p.setAttribute('aria-describedby', 'phone-err');"
    " const m = document.createElement('span'); m.id = 'phone-err'; m.className = 'error';"
    " m.textContent = 'Enter a 10-digit mobile number without the country code'; p.after(m);"
    " const g = document.createElement('div'); g.setAttribute('role', 'alert');"
    " g.textContent = 'Please correct the errors below'; f.prepend(g); });</script>")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


def test_a_field_the_page_refuses_at_submit_goes_to_a_person_named(settings, db, browser):
    tune(settings, confirm_timeout_s=20.0)
    server = PageServer({"/refuses": company_form(extra=REFUSES_PHONE)})
    try:
        ids = make_application(db, settings, server.url("/refuses"))
        out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(
            engine_request(db, settings, ids))
    finally:
        server.close()
    assert out.outcome == "needs_human", out.reason
    assert out.unanswered == ["Phone"]
    assert "'Phone': Enter a 10-digit mobile number without the country code" in out.reason
    assert out.timings["submit_s"] < 10  # the errors end the wait, not the 20 s timeout
    assert any("refused" in s for s in out.screenshots)
    app = db.one("SELECT status, submit_marker_at FROM applications WHERE id = %s", (ids["application_id"],))
    assert app["status"] == "needs_human" and app["submit_marker_at"] is not None
    assert server.posts == []
