"""How the engine puts values into a page: one script per document first, real typing and clicks after.

The fast path sets values the way frameworks listen for them and reads every one back; a page that only
believes trusted (real) input gets real typing and clicks for those fields, and still nothing is sent
unless every value reads back right. Fields in a cross-origin iframe are reached through WebDriver.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.apply_engine.browser import Browser
from core.apply_engine.engine import ApplyEngine
from core.storage import Storage
from sandbox import SandboxServer
from tests.support.apply_helpers import (
    THANKS,
    PageServer,
    company_form,
    engine_request,
    make_application,
    page,
    tune,
)

#: First name clears itself on any input event a script made up (isTrusted false).
TRUSTED_ONLY_INPUT = ("<script>document.getElementById('first').addEventListener('input', e => {"
                      " if (!e.isTrusted) e.target.value = ''; });</script>")
#: A custom dropdown that opens, and takes a choice, only from a real click.
TRUSTED_ONLY_DROPDOWN = (
    '<div><span id="rl">Are you willing to relocate? *</span>'
    '<div id="reloc" role="button" tabindex="0" aria-haspopup="listbox" aria-labelledby="rl" aria-required="true">'
    '<span class="v">Choose</span><ul role="listbox" hidden><li role="option" data-value="y">Yes</li>'
    '<li role="option" data-value="n">No</li></ul><input type="hidden" name="relocate" value=""></div></div>'
    "<script>const d = document.getElementById('reloc'); const m = d.querySelector('ul');"
    "d.addEventListener('click', e => { if (!e.isTrusted) return; const li = e.target.closest('li');"
    " if (li) { d.querySelector('input').value = li.dataset.value; d.querySelector('.v').textContent = li.textContent;"
    " m.hidden = true; } else { m.hidden = !m.hidden; } });</script>")


@pytest.fixture
def server() -> Iterator[PageServer]:
    srv = PageServer({"/apply/thanks": THANKS,
                      "/trusted-input": company_form(extra=TRUSTED_ONLY_INPUT),
                      "/trusted-dropdown": company_form(extra=TRUSTED_ONLY_DROPDOWN)})
    # The same server under another origin (localhost instead of 127.0.0.1): a cross-origin iframe.
    srv.pages["/links"] = page("Links", '<label for="gh">GitHub URL</label><input type="url" id="gh" name="github">')
    srv.pages["/framed"] = company_form(
        extra=f'<iframe id="links" src="http://localhost:{srv.port}/links" style="height:120px"></iframe>')
    yield srv
    srv.close()


@pytest.fixture
def run(settings: Any, db: Any, browser: Browser):
    tune(settings, confirm_timeout_s=5.0)

    def _run(url: str, **kw: Any) -> Any:
        ids = make_application(db, settings, url)
        return ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(
            engine_request(db, settings, ids, **kw))

    return _run


def test_input_that_ignores_script_events_is_typed_for_real(run, server):
    out = run(server.url("/trusted-input"))
    assert out.outcome == "submitted", out.reason
    [post] = server.posts
    assert post["fields"]["first_name"] == ["Asha"]


def test_dropdown_that_only_answers_real_clicks_is_chosen_with_real_clicks(run, server):
    out = run(server.url("/trusted-dropdown"))
    assert out.outcome == "submitted", out.reason
    [post] = server.posts
    assert post["fields"]["relocate"] == ["y"]
    assert next(f for f in out.fields() if f["label"] == "Are you willing to relocate?")["value"] == "Yes"


def test_field_in_a_cross_origin_iframe_is_found_filled_and_verified(run, server):
    out = run(server.url("/framed"), submit=False)
    assert out.outcome == "dry_run", out.reason
    [github] = [a for a in out.sheet.answers if a.label == "GitHub URL"]
    assert github.value == "https://github.com/asharaman"
    assert github.field is not None and github.field.via == [0]  # reached through a WebDriver frame switch


def test_react_dropdowns_are_read_and_filled_without_leaving_a_menu_open(settings, db, browser):
    tune(settings, confirm_timeout_s=5.0)
    with SandboxServer(port=0) as sb:
        ids = make_application(db, settings, sb.apply_url("ghr-frontend"))
        out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(
            engine_request(db, settings, ids, submit=False))
        assert out.outcome == "dry_run", out.reason
        combos = [f for f in out.fields() if f["type"] == "combobox"]
        assert len(combos) >= 5 and all(f["value"] for f in combos if f["required"])
        assert browser.driver.execute_script("return document.querySelectorAll('.select__menu').length") == 0
