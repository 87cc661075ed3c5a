"""A Google Form, as many Indian startups hire with, filled and submitted end to end in Chromium.

The page is the corpus replica tests/corpus/forms/google_forms.html (radios and tick boxes drawn as divs with
aria-checked, a listbox dropdown, no name attributes, the answers posted as entry.* fields to formResponse);
company_gform_embed.html embeds it in a company's careers page from another origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest

from core.apply_engine.engine import ApplyEngine
from core.storage import Storage
from tests.support.apply_helpers import engine_request, make_application, tune
from tests.support.form_corpus import CorpusServer, load_corpus, profile

DRIVE_LINK = "https://drive.google.com/file/d/1AshaRamanResumeReplica/view?usp=sharing"


@pytest.fixture
def server() -> Iterator[CorpusServer]:
    srv = CorpusServer()
    yield srv
    srv.close()


def test_the_drive_link_it_asks_for_goes_to_a_person_and_nothing_is_sent(settings, db, browser, server):
    tune(settings)
    [page] = load_corpus(["google_forms"])
    ids = make_application(db, settings, server.url(page), profile=profile())
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(engine_request(db, settings, ids))
    assert out.outcome == "needs_human", out.reason
    assert out.unanswered == ["Resume link"]
    assert server.posts == []


@pytest.mark.parametrize("stem", ["google_forms", "company_gform_embed"])
def test_with_the_link_given_every_answer_is_posted_as_its_entry_and_the_response_is_recorded(
        settings, db, browser, server, stem):
    tune(settings, confirm_timeout_s=10.0)
    [page] = load_corpus([stem])
    ids = make_application(db, settings, server.url(page), profile=profile())
    req = engine_request(db, settings, ids, edits={"Resume link": DRIVE_LINK})
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(req)
    assert out.outcome == "submitted", out.reason
    [(path, body)] = server.posts
    assert path == "/forms/d/e/1FAIpQLSf_tarangini_replica/formResponse"
    sent = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    assert sent["entry.902114561"] == "Asha Raman"
    assert sent["entry.902114563"] == "9845000000"  # "Write the 10 digits only"
    assert sent["entry.902114567"] == "30 days"  # a radio drawn as a div
    assert sent["entry.902114568"] == "Yes"
    assert sent["entry.902114569"] == "B.E./B.Tech"  # the listbox, not its "Choose" placeholder
    assert sent["entry.902114573"] == DRIVE_LINK
    assert sent["entry.902114570"] == "Python,SQL"  # drawn tick boxes: the candidate's own skills, not Spark
    by_label = {f["label"]: f for f in out.fields()}
    assert "as the question asks" in by_label["Contact Number"]["source"]
    app = db.one("SELECT status, submitted_at FROM applications WHERE id = %s", (ids["application_id"],))
    assert app["status"] == "submitted" and app["submitted_at"] is not None


def test_a_form_in_sections_is_filled_then_left_to_a_person_unsent(settings, db, browser, server):
    """Its first page has Next, not Submit: Talvix presses nothing it cannot name, commits no submit marker,
    and says why."""
    tune(settings)
    [page] = load_corpus(["google_forms_sections"])
    ids = make_application(db, settings, server.url(page), profile=profile())
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(engine_request(db, settings, ids))
    assert out.outcome == "needs_human", out.reason
    assert "no submit button" in out.reason and "nothing was sent" in out.reason
    assert server.posts == []
    row = db.one("SELECT status, submit_marker_at FROM applications WHERE id = %s", (ids["application_id"],))
    assert row["status"] == "needs_human" and row["submit_marker_at"] is None


def test_drawn_choices_are_one_question_each_and_a_yes_no_button_group_is_not_read_twice(browser):
    """Radios drawn as divs without a radiogroup (their box is the question), a lone tick box, and a yes/no
    pair of buttons that also say role=radio: each is one question, with its options."""
    from core.apply_engine import forms
    from tests.support.apply_helpers import PageServer, page

    body = (
        '<form><p id="q1">Do you have a valid passport? *</p>'
        '<div aria-labelledby="q1"><div role="radio" aria-checked="false" tabindex="0">Yes</div>'
        '<div role="radio" aria-checked="false" tabindex="-1">No</div></div>'
        '<p id="q2">Are you open to night shifts?</p>'
        '<div aria-labelledby="q2" class="yn"><button type="button" role="radio" aria-checked="false">Yes</button>'
        '<button type="button" role="radio" aria-checked="false">No</button></div>'
        '<div role="group" aria-label="Terms"><div role="checkbox" aria-checked="false" tabindex="0" '
        'style="display:inline-block;width:16px;height:16px;border:1px solid" aria-label="I agree to be contacted">'
        '</div></div>'
        '<fieldset><legend>Shift</legend><div role="radio" aria-checked="false"><label><input type="radio" '
        'name="shift" value="day"> Day</label></div><div role="radio" aria-checked="false"><label><input '
        'type="radio" name="shift" value="night"> Night</label></div></fieldset></form>')
    script = ("document.querySelectorAll('[role=radio],[role=checkbox]').forEach(o => o.addEventListener('click', () => {"
              " if (o.getAttribute('role') === 'radio') o.parentElement.querySelectorAll('[role=radio]')"
              ".forEach(x => x.setAttribute('aria-checked', 'false'));"
              " o.setAttribute('aria-checked', o.getAttribute('role') === 'radio' || o.getAttribute('aria-checked') !== 'true'"
              " ? 'true' : 'false'); }));")
    srv = PageServer({"/drawn": page("Drawn", body, script)})
    try:
        browser.open(f"http://127.0.0.1:{srv.port}/drawn", 10)
        fields = forms.discover(browser.driver)
        got = [(f.label, f.type, f.options, f.required) for f in fields]
        assert got == [("Do you have a valid passport?", "radio", ["Yes", "No"], True),
                       ("Are you open to night shifts?", "radio", ["Yes", "No"], False),
                       ("Terms", "checkboxes", ["I agree to be contacted"], False),
                       ("Shift", "radio", ["Day", "Night"], False)]  # the real inputs, not their wrappers again
        passport, _, terms, _ = fields
        forms.fill(browser.driver, passport, "No")
        forms.fill(browser.driver, passport, "No")  # already chosen: a second pass does not toggle it
        forms.fill(browser.driver, terms, ["I agree to be contacted"])
        assert forms.read_values(browser.driver, [passport, terms]) == ["No", "I agree to be contacted"]
    finally:
        srv.close()
