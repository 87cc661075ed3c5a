"""After the submit click the page's validation messages are read and tied to their fields: a refusal the
answer sheet cannot fix goes to a person naming the field and the page's message (not an unknown outcome,
no second click); a fixable one is fixed and submitted once more, and never a third time."""

from __future__ import annotations

from core.apply_engine.engine import ApplyEngine
from core.storage import Storage
from tests.support.apply_helpers import PageServer, company_form, engine_request, make_application, tune

#: The page's own check at submit refuses the phone number (after it read back fine), every time.
REFUSES_PHONE = (
    "<script>window.__submits = 0; const f = document.querySelector('form');"
    " f.addEventListener('submit', e => { e.preventDefault(); window.__submits++;"
    " const p = f.querySelector('[name=phone]'); p.setAttribute('aria-invalid', 'true');"
    " p.setAttribute('aria-describedby', 'phone-err');"
    " const m = document.createElement('span'); m.id = 'phone-err'; m.className = 'error';"
    " m.textContent = '__MESSAGE__'; p.after(m);"
    " const g = document.createElement('div'); g.setAttribute('role', 'alert');"
    " g.textContent = 'Please correct the errors below'; f.prepend(g); });</script>")


def test_a_field_the_page_refuses_at_submit_goes_to_a_person_named(settings, db, browser):
    tune(settings, confirm_timeout_s=20.0)
    unfixable = "This mobile number is already registered with another candidate"
    server = PageServer({"/refuses": company_form(extra=REFUSES_PHONE.replace("__MESSAGE__", unfixable))})
    try:
        ids = make_application(db, settings, server.url("/refuses"))
        out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(
            engine_request(db, settings, ids))
    finally:
        server.close()
    assert out.outcome == "needs_human", out.reason
    assert out.unanswered == ["Phone"]
    assert f"'Phone': {unfixable}" in out.reason and "cannot write these the way the page asks" in out.reason
    assert out.timings["submit_s"] < 10  # the errors end the wait, not the 20 s timeout
    assert any("refused" in s for s in out.screenshots)
    app = db.one("SELECT status, submit_marker_at FROM applications WHERE id = %s", (ids["application_id"],))
    assert app["status"] == "needs_human" and app["submit_marker_at"] is not None
    assert server.posts == []
    assert browser.driver.execute_script("return window.__submits") == 1


def test_a_fixable_field_the_page_refuses_again_is_submitted_twice_at_most(settings, db, browser):
    tune(settings, confirm_timeout_s=20.0)
    fixable = "Enter a 10-digit mobile number without the country code"
    server = PageServer({"/refuses": company_form(extra=REFUSES_PHONE.replace("__MESSAGE__", fixable))})
    try:
        ids = make_application(db, settings, server.url("/refuses"))
        out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(
            engine_request(db, settings, ids))
        submits = browser.driver.execute_script("return window.__submits")
        phone = browser.driver.execute_script("return document.querySelector('[name=phone]').value")
    finally:
        server.close()
    assert submits == 2  # the fixed number was refused too: no third click
    assert phone == "9845000000"
    assert out.outcome == "needs_human", out.reason
    assert out.unanswered == ["Phone"]
    assert f"'Phone': {fixable}" in out.reason and "also after Talvix fixed 'Phone'" in out.reason
    app = db.one("SELECT status, submitted_at FROM applications WHERE id = %s", (ids["application_id"],))
    assert app["status"] == "needs_human" and app["submitted_at"] is None
    assert server.posts == []
