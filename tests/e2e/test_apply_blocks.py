"""Soft blocks that are real: a challenge at submit goes to a person with its screenshot; a site pauses
only when blocks repeat within the window, never on one page's first look."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.apply_engine import sites
from core.apply_engine.engine import ApplyEngine
from core.storage import Storage
from tests.support.apply_helpers import PageServer, company_form, engine_request, make_application, tune

#: The form's submit opens an interactive challenge instead of sending (as a site's bot check does).
CHALLENGE_AT_SUBMIT = (
    "<script>document.querySelector('form').addEventListener('submit', e => { e.preventDefault();"
    " const f = document.createElement('iframe'); f.src = '/hcaptcha/challenge?frame=challenge';"
    " f.title = 'Main content of the hCaptcha challenge'; f.style.cssText = 'width:400px;height:520px;border:0';"
    " document.body.appendChild(f); });</script>")


@pytest.fixture
def server() -> Iterator[PageServer]:
    srv = PageServer({"/challenge": company_form(extra=CHALLENGE_AT_SUBMIT)})
    yield srv
    srv.close()


def test_a_challenge_at_submit_sends_that_application_to_a_person_with_its_screenshot(settings, db, browser, server):
    tune(settings, confirm_timeout_s=20.0)  # the challenge is seen at once, not after the timeout
    ids = make_application(db, settings, server.url("/challenge"))
    storage = Storage(settings.storage_path)
    out = ApplyEngine(settings, db, storage, browser=browser).run(engine_request(db, settings, ids))
    assert out.outcome == "needs_human", out.reason
    assert out.blocked is not None and out.blocked.kind == "captcha" and out.retry_after_s is None
    assert "captcha" in out.reason and "submit" in out.reason
    assert out.timings["submit_s"] < 10
    shots = [s for s in out.screenshots if "challenge" in s]
    assert shots and storage.resolve(shots[0]).stat().st_size > 1000
    app = db.one("SELECT status, reason, submit_marker_at FROM applications WHERE id = %s", (ids["application_id"],))
    assert app["status"] == "needs_human" and "captcha" in app["reason"]
    assert app["submit_marker_at"] is not None  # pressed once; never again
    assert server.posts == []
    site = f"127.0.0.1:{server.port}"
    assert not (db.one("SELECT paused FROM sites WHERE site = %s", (site,)) or {}).get("paused")
    assert db.one("SELECT count(*) AS n FROM events WHERE kind = 'site' AND data->>'site' = %s", (site,))["n"] == 1


def test_a_site_pauses_only_after_repeated_blocks_within_the_window(settings, db):
    settings.apply.block_threshold, settings.apply.block_window_s = 3, 600
    block = sites.SoftBlock("rate_limit", "HTTP 429: too many requests", False)
    assert sites.record_block(db, settings, "jobs.example.org", block) is False
    assert sites.record_block(db, settings, "jobs.example.org", block) is False
    db.execute("UPDATE events SET ts = now() - interval '1 hour' WHERE kind = 'site'")  # both outside the window now
    assert sites.record_block(db, settings, "jobs.example.org", block) is False
    assert sites.record_block(db, settings, "other.example.org", block) is False  # counted per site
    assert sites.record_block(db, settings, "jobs.example.org", block) is False
    assert sites.paused(db, "jobs.example.org") is None
    assert sites.record_block(db, settings, "jobs.example.org", block) is True
    row = sites.paused(db, "jobs.example.org")
    assert row is not None and "429" in row["pause_reason"] and row["paused_until"] is not None
    event = db.one("SELECT message FROM events WHERE kind = 'site' AND message LIKE '%%paused%%' ORDER BY id DESC LIMIT 1")
    assert "3 blocks in 10 min" in event["message"]
