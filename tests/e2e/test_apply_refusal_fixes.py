"""A field the page refuses at submit is fixed where the answer sheet allows it, and submit is pressed once more.

The corpus pages company_refusal (the page's own script refuses at submit) and company_server_check (the
server's validation, shown in the same page) take the same facts written another way: the phone without
(or with) its country code, a number without its unit, a shorter way of writing a link. Talvix writes
them so, reads them back and presses submit a second time; never a third (tests/e2e/test_apply_refused.py
has the refusals that go to a person).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from core.apply_engine.engine import ApplyEngine
from core.storage import Storage
from tests.support.apply_helpers import _parse_body, engine_request, make_application, tune
from tests.support.form_corpus import CorpusServer, load_corpus, profile


@pytest.fixture
def server() -> Iterator[CorpusServer]:
    srv = CorpusServer()
    yield srv
    srv.close()


def _fields(body: bytes) -> dict[str, str]:
    boundary = body.split(b"\r\n", 1)[0][2:].decode()
    return {k: v[0] for k, v in _parse_body(f"multipart/form-data; boundary={boundary}", body).items()}


def test_a_refusal_by_the_pages_own_check_is_fixed_and_submitted_once_more(settings, db, browser, server):
    tune(settings, confirm_timeout_s=10.0)
    [page] = load_corpus(["company_refusal"])
    ids = make_application(db, settings, server.url(page), profile=profile())
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(engine_request(db, settings, ids))
    assert out.outcome == "submitted", out.reason
    [(path, body)] = server.posts  # the page's check stopped the first click before anything was sent
    assert path == "/company_refusal/submit"
    sent = _fields(body)
    assert sent["mobile"] == "9845000000" and sent["ectc"] == "24" and sent["np"] == "30"
    assert sent["doj"] == (dt.date.today() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    by_label = {f["label"]: f for f in out.fields()}
    assert by_label["Mobile"]["value"] == "9845000000" and "without the country code" in by_label["Mobile"]["source"]
    assert by_label["Expected CTC"]["value"] == "24"
    receipt = json.loads(Storage(settings.storage_path).resolve(out.receipt or "").read_text())
    assert [f["question"] for f in receipt["fixed_after_refusal"]] == ["Mobile", "Expected CTC", "When can you join?"]
    assert receipt["fixed_after_refusal"][1]["was"] == "24 LPA"
    assert any("refused" in s for s in out.screenshots) and any("before-resubmit" in s for s in out.screenshots)
    events = [r["message"] for r in db.execute("SELECT message FROM events WHERE application_id = %s ORDER BY id",
                                           (ids["application_id"],))]
    assert sum("submit marker committed" in m for m in events) == 1
    assert sum("pressing submit once more" in m for m in events) == 1
    app = db.one("SELECT status, submitted_at FROM applications WHERE id = %s", (ids["application_id"],))
    assert app["status"] == "submitted" and app["submitted_at"] is not None


def test_a_refusal_by_the_server_is_fixed_and_submitted_once_more(settings, db, browser, server):
    tune(settings, confirm_timeout_s=10.0)
    [page] = load_corpus(["company_server_check"])
    ids = make_application(db, settings, server.url(page), profile=profile())
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(engine_request(db, settings, ids))
    assert out.outcome == "submitted", out.reason
    first, second = server.posts  # the server refused the first post (422) and accepted the second
    assert {p for p, _ in server.posts} == {"/company_server_check/submit"}
    assert _fields(first[1])["phone"] == "+91 98450 00000"
    sent = _fields(second[1])
    assert sent["phone"] == "+919845000000" and sent["website"] == "asharaman.dev"
    assert sent["first_name"] == "Asha" and sent["resume"].startswith("file:")
    assert out.confirmation and "Thank you" in out.confirmation["detail"]


def test_the_second_click_needs_the_marker_still_this_sessions(settings, db):
    """The one second click is allowed only on an application still ``applying`` under this session's marker:
    not once the reaper made it ``unknown_outcome``, not under another runner's marker, never after submitted."""
    tune(settings)
    ids = make_application(db, settings, "http://127.0.0.1:9/apply")
    engine = ApplyEngine(settings, db, Storage(settings.storage_path))
    req = engine_request(db, settings, ids, runner_id="runner-a")
    assert engine._mark(req)
    assert not engine._mark(req)  # the first click's marker: never taken twice
    assert engine._remark(req, ["Phone"])
    other = engine_request(db, settings, ids, runner_id="runner-b")
    assert not engine._remark(other, ["Phone"])
    db.execute("UPDATE applications SET status = 'unknown_outcome' WHERE id = %s", (ids["application_id"],))
    assert not engine._remark(req, ["Phone"])
    db.execute("UPDATE applications SET status = 'applying', submitted_at = now() WHERE id = %s", (ids["application_id"],))
    assert not engine._remark(req, ["Phone"])


#: Refuses the first submit in the page; the second posts with fetch to a slow server and leaves the first
#: message on screen until the server answers (3.5 s later, longer than the errors' grace of 3 s).
SLOW_SECOND = """<!DOCTYPE html><html><head><title>Apply</title></head><body><h1>Apply</h1>
<form id="f" novalidate>
<div><label for="n">Full name *</label><input id="n" name="name" required></div>
<div><label for="e">Email *</label><input id="e" name="email" type="email" required></div>
<div><label for="m">Mobile *</label><input id="m" name="mobile" type="tel" required></div>
<button type="submit">Submit application</button></form>
<script>
const f = document.getElementById('f');
f.addEventListener('submit', ev => {
  ev.preventDefault();
  const m = f.mobile;
  if (!/^\\d{10}$/.test(m.value)) {
    m.setAttribute('aria-invalid', 'true'); m.setAttribute('aria-describedby', 'm-err');
    if (!document.getElementById('m-err')) { const e = document.createElement('span'); e.id = 'm-err'; e.className = 'error';
      e.textContent = 'Enter a 10-digit mobile number without +91'; m.after(e); }
    return;
  }
  fetch('/slow/submit', {method: 'POST', body: new FormData(f)}).then(r => r.text()).then(() => {
    document.body.innerHTML = '<h1>Thank you for applying!</h1>';
  });
});
</script></body></html>"""


def test_a_second_submit_waits_for_the_servers_answer_while_the_old_message_is_still_shown(settings, db, browser):
    import time

    from tests.support.apply_helpers import PageServer

    def slow(handler: object) -> tuple[int, str]:
        time.sleep(3.5)  # the employer's server taking its time (not a test's synchronisation)
        return 200, "ok"

    tune(settings, confirm_timeout_s=15.0)
    server = PageServer({"/slow": SLOW_SECOND, "/slow/submit:post": slow})
    try:
        ids = make_application(db, settings, server.url("/slow"))
        out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(
            engine_request(db, settings, ids))
    finally:
        server.close()
    assert out.outcome == "submitted", out.reason
    [post] = server.submissions("/slow/submit")
    assert post["fields"]["mobile"] == ["9845000000"]


def test_a_form_the_server_draws_again_with_its_messages_is_refilled_fixed_and_submitted_once_more(
        settings, db, browser, server):
    """company_postback: the POST answers with a new page drawing the same form, the upload lost and a
    message under the mobile number. Every answer goes back in (the resume uploaded again), the mobile
    number is fixed, and the second POST is accepted."""
    tune(settings, confirm_timeout_s=10.0)
    [page] = load_corpus(["company_postback"])
    ids = make_application(db, settings, server.url(page), profile=profile())
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(engine_request(db, settings, ids))
    assert out.outcome == "submitted", out.reason
    first, second = server.posts
    assert _fields(first[1])["mobile"] == "+91 98450 00000"
    sent = _fields(second[1])
    assert sent["mobile"] == "9845000000" and sent["fname"] == "Asha" and sent["exp"] == "5"
    assert sent["cv"].startswith("file:") and not sent["cv"].endswith(":0")  # uploaded again on the new page
    receipt = json.loads(Storage(settings.storage_path).resolve(out.receipt or "").read_text())
    assert receipt["redrawn_form"] and [f["question"] for f in receipt["fixed_after_refusal"]] == ["Mobile"]


def test_a_form_drawn_again_with_a_message_nothing_can_fix_goes_to_a_person(settings, db, browser, server):
    tune(settings, confirm_timeout_s=10.0)
    [page] = load_corpus(["company_postback"])
    prof = profile()
    prof["identity"]["phone"] = "+1 415 555 0123"  # a US number: no 10-digit Indian mobile to write it as
    ids = make_application(db, settings, server.url(page), profile=prof)
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(engine_request(db, settings, ids))
    assert out.outcome == "needs_human", out.reason
    assert len(server.posts) == 1  # "without +91" for a +1 number: nothing to write it as, no second POST
    assert out.unanswered == ["Mobile"] and "Please enter a valid 10 digit mobile number" in out.reason


def test_a_form_drawn_again_after_the_second_submit_goes_to_a_person_never_a_third(settings, db, browser, server):
    tune(settings, confirm_timeout_s=10.0)
    [page] = load_corpus(["company_postback"])
    prof = profile()
    prof["identity"]["phone"] = "+91 58450 00000"  # written without +91 it is still refused (not a mobile number)
    ids = make_application(db, settings, server.url(page), profile=prof)
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(engine_request(db, settings, ids))
    assert out.outcome == "needs_human", out.reason
    assert [(_fields(b)["mobile"]) for _, b in server.posts] == ["+91 58450 00000", "5845000000"]
    assert "also after Talvix fixed 'Mobile'" in out.reason and out.unanswered == ["Mobile"]
