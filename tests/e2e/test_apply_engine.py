"""The apply engine on small loopback forms: dry runs, exactly-once submission, hand-offs, soft blocks.

One Chromium serves the whole module (a fresh profile per session is the production default; here the
browser is only cleared between tests) and every form is a few hundred bytes, so the module stays fast
on a small machine.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from core import queue
from core.apply_engine.browser import Browser
from core.apply_engine.engine import ApplyEngine
from core.apply_engine.sites import SiteBusy, reserve
from core.errors import LeaseLost
from core.models import NewTask
from core.storage import Storage
from tests.support.apply_helpers import (
    THANKS,
    PageServer,
    company_form,
    engine_request,
    make_application,
    page,
    tune,
)


@pytest.fixture
def server() -> Iterator[PageServer]:
    srv = PageServer({"/form": company_form(), "/apply/thanks": THANKS,
                      "/knockout": company_form(knockout=True),
                      "/hang": company_form(action="/hang-submit"),
                      "/lever": company_form(extra=(
                          '<div class="h-captcha" data-sitekey="k" data-size="invisible"></div>'
                          '<iframe src="about:blank#hcaptcha.com/captcha" data-hcaptcha-widget-id="w1" '
                          'style="width:0;height:0;border:0"></iframe>'
                          '<textarea name="h-captcha-response" style="display:none"></textarea>'
                          '<input type="hidden" name="h-captcha-response">')),
                      "/ashby": company_form(extra=(
                          '<textarea name="g-recaptcha-response" style="display:none"></textarea>'
                          '<div class="grecaptcha-badge" style="width:256px;height:60px;position:fixed;bottom:14px;right:0">'
                          '<iframe title="reCAPTCHA" src="about:blank#recaptcha/anchor?size=invisible" '
                          'style="width:256px;height:60px"></iframe></div>')),
                      "/limited": lambda h: (429, page("429", "<h1>Too Many Requests</h1>")),
                      "/captcha": page("Just a moment...", "<h1>Verify you are human</h1>"
                                       "<div class='h-captcha' data-sitekey='x'></div>")})
    srv.hang.add("/hang-submit")
    yield srv
    srv.close()


@pytest.fixture
def engine(settings: Any, db: Any, browser: Browser) -> ApplyEngine:
    tune(settings, confirm_timeout_s=3.0)
    browser.driver.delete_all_cookies()
    return ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser)


def _app(db: Any, app_id: int) -> dict[str, Any]:
    return db.one("SELECT * FROM applications WHERE id = %s", (app_id,))


def test_dry_run_fills_and_verifies_but_submits_nothing(engine, db, settings, server):
    ids = make_application(db, settings, server.url("/form"))
    out = engine.run(engine_request(db, settings, ids, submit=False))
    assert out.outcome == "dry_run", out.reason
    assert server.posts == []
    values = {f["name"]: f["value"] for f in out.fields()}
    assert values["first_name"] == "Asha" and values["notice"] == "30 days" and values["auth"] == "Yes"
    assert values["gender"] == "Decline to self-identify"  # optional demographic: the form's decline option
    assert values["salary"] is None  # salary the candidate did not set stays blank
    assert [s.rsplit("-", 1)[-1] for s in out.screenshots] == ["loaded.png", "filled.png"]
    row = _app(db, ids["application_id"])
    assert row["status"] == "ready" and row["submit_marker_at"] is None
    assert row["answer_sheet"]["fields"][0]["source"] == "identity.first_name"


def test_submit_records_one_submission_with_marker_receipt_and_screenshots(engine, db, settings, server):
    ids = make_application(db, settings, server.url("/form"))
    out = engine.run(engine_request(db, settings, ids))
    assert out.outcome == "submitted", out.reason
    [post] = server.posts
    f = post["fields"]
    assert f["first_name"] == ["Asha"] and f["email"] == ["asha@example.com"] and f["truth"] == ["on"]
    assert f["cv"][0].startswith("file:candidate-")
    row = _app(db, ids["application_id"])
    assert row["status"] == "submitted" and row["submitted_at"] is not None
    assert row["submit_marker_at"] is not None and row["submit_marker_runner"] == "test-runner"
    assert row["submit_marker_at"] <= row["submitted_at"]
    assert row["confirmation"]["kind"] in ("element", "text")
    steps = [s.rsplit("-", 1)[-1] for s in out.screenshots]
    assert steps == ["loaded.png", "filled.png", "submit.png", "confirmation.png"]
    root = Storage(settings.storage_path).root
    for rel in out.screenshots:
        assert rel.startswith(f"screenshots/{ids['application_id']}/")
        assert (root / rel).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    receipt = json.loads((root / row["receipt_path"]).read_text())
    assert receipt["outcome"] == "submitted" and receipt["files"]["resume"]["sha256"]
    assert "Asha" in (root / receipt["dom_snapshot"]).read_text()
    kinds = {r["kind"] for r in db.execute("SELECT kind FROM artifacts WHERE application_id = %s",
                                           (ids["application_id"],))}
    assert kinds == {"screenshot", "dom_snapshot", "receipt"}
    session = db.one("SELECT * FROM apply_sessions WHERE application_id = %s", (ids["application_id"],))
    assert session["outcome"] == "submitted" and session["ended_at"] is not None
    assert session["last_screenshot"] == out.screenshots[-1]


def test_a_second_run_is_already_applied_and_posts_nothing(engine, db, settings, server):
    ids = make_application(db, settings, server.url("/form"))
    assert engine.run(engine_request(db, settings, ids)).outcome == "submitted"
    again = engine.run(engine_request(db, settings, ids))
    assert again.outcome == "already_applied"
    assert len(server.posts) == 1


def test_knockout_question_goes_to_needs_human_naming_it(engine, db, settings, server):
    ids = make_application(db, settings, server.url("/knockout"))
    out = engine.run(engine_request(db, settings, ids))
    assert out.outcome == "needs_human"
    assert out.unanswered == ["Do you hold an active security clearance?"]
    assert "security clearance" in out.reason
    assert server.posts == []
    row = _app(db, ids["application_id"])
    assert row["status"] == "needs_human" and row["submit_marker_at"] is None
    declaration = next(f for f in out.fields() if f["name"] == "truth")
    assert declaration["value"] is None  # not ticked while a required answer is missing


def test_dropped_submit_response_is_unknown_outcome_and_never_resubmitted(engine, db, settings, server):
    ids = make_application(db, settings, server.url("/hang"))
    out = engine.run(engine_request(db, settings, ids))
    assert out.outcome == "unknown_outcome"
    assert len(server.submissions("/hang-submit")) == 1
    row = _app(db, ids["application_id"])
    assert row["status"] == "unknown_outcome" and row["submit_marker_at"] is not None and row["submitted_at"] is None
    again = engine.run(engine_request(db, settings, ids))
    assert again.outcome == "unknown_outcome"
    assert len(server.submissions("/hang-submit")) == 1


def test_marker_without_confirmation_from_a_crashed_session_is_never_resubmitted(engine, db, settings, server):
    ids = make_application(db, settings, server.url("/form"))
    db.execute("UPDATE applications SET submit_marker_at = now(), submit_marker_runner = 'crashed' WHERE id = %s",
               (ids["application_id"],))
    out = engine.run(engine_request(db, settings, ids))
    assert out.outcome == "unknown_outcome"
    assert server.posts == []
    assert _app(db, ids["application_id"])["status"] == "unknown_outcome"


def test_two_sessions_racing_one_application_submit_once(settings, db, server, browser):
    tune(settings)
    ids = make_application(db, settings, server.url("/form"))
    storage = Storage(settings.storage_path)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run(b: Browser) -> None:
        barrier.wait()
        out = ApplyEngine(settings, db, storage, browser=b).run(engine_request(db, settings, ids, runner_id=f"r{id(b)}"))
        outcomes.append(out.outcome)

    with Browser() as second:
        threads = [threading.Thread(target=run, args=(b,)) for b in (browser, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert sorted(outcomes) == ["already_applied", "submitted"]
    assert len(server.posts) == 1


def test_a_runner_that_lost_its_lease_never_presses_submit(engine, db, settings, server):
    ids = make_application(db, settings, server.url("/form"))
    queue.enqueue(db, NewTask("apply", {"application_id": ids["application_id"]}, application_id=ids["application_id"]))
    [task] = queue.claim(db, ["apply"], 1, "runner-a", 60)
    db.execute("UPDATE tasks SET locked_by = 'runner-b', attempts = attempts + 1 WHERE id = %s", (task.id,))  # reclaimed
    with pytest.raises(LeaseLost):
        engine.run(engine_request(db, settings, ids, task=task, runner_id="runner-a"))
    assert server.posts == []
    assert _app(db, ids["application_id"])["submit_marker_at"] is None


@pytest.mark.parametrize("path", ["/lever", "/ashby"])
def test_passive_captcha_is_not_a_wall(engine, db, settings, server, path):
    ids = make_application(db, settings, server.url(path))
    out = engine.run(engine_request(db, settings, ids, submit=False))
    assert out.outcome == "dry_run", out.reason
    assert out.blocked is None
    row = db.one("SELECT * FROM sites WHERE site = %s", (f"127.0.0.1:{server.port}",))
    assert row is None or not row["paused"]


@pytest.mark.parametrize("path, kind, until_resumed", [("/limited", "rate_limit", False), ("/captcha", "captcha", True)])
def test_repeated_soft_blocks_pause_the_site_with_a_visible_reason(engine, db, settings, server, path, kind, until_resumed):
    settings.apply.block_threshold = 2
    site = f"127.0.0.1:{server.port}"
    first = make_application(db, settings, server.url(path), email="first@example.com")
    out = engine.run(engine_request(db, settings, first))
    assert out.outcome == "needs_human" and out.blocked is not None and out.blocked.kind == kind
    assert not (db.one("SELECT paused FROM sites WHERE site = %s", (site,)) or {}).get("paused")  # one look: not yet
    assert "soft block" in out.reason and (out.retry_after_s is None) == until_resumed
    ids = make_application(db, settings, server.url(path))
    out = engine.run(engine_request(db, settings, ids))
    assert out.outcome == "needs_human" and out.blocked is not None and out.blocked.kind == kind
    assert "paused" in out.reason
    row = db.one("SELECT * FROM sites WHERE site = %s", (site,))
    assert row["paused"] and row["pause_reason"]
    assert (row["paused_until"] is None) == until_resumed
    event = db.one("SELECT * FROM events WHERE kind = 'site' ORDER BY id DESC LIMIT 1")
    assert site in event["message"] and event["level"] == "warning"
    with pytest.raises(SiteBusy):
        reserve(db, settings, site, ids["candidate_id"])
    assert server.posts == []


def test_site_minimum_interval_holds_between_sessions(engine, db, settings, server):
    from core.config import SiteSettings

    site = f"127.0.0.1:{server.port}"
    settings.sites = {site: SiteSettings(min_interval_seconds=600, daily_cap=10, daily_cap_per_candidate=1)}
    reserve(db, settings, site, None)
    with pytest.raises(SiteBusy, match="minimum interval"):
        reserve(db, settings, site, None)


def test_policy_always_waits_for_approval_before_submitting(engine, db, settings, server):
    ids = make_application(db, settings, server.url("/form"), policy="always")
    out = engine.run(engine_request(db, settings, ids, policy="always"))
    assert out.outcome == "awaiting_approval"
    assert server.posts == []
    data = out.approval_data({})
    assert data["answer_sheet"]["fields"] and data["screenshots"]
    assert _app(db, ids["application_id"])["status"] == "awaiting_approval"


def test_fields_the_parser_guessed_hold_the_application_for_a_person_whatever_the_policy(engine, db, settings,
                                                                                       server):
    ids = make_application(db, settings, server.url("/form"), policy="never")
    req = engine_request(db, settings, ids, policy="never")
    req.profile["to_confirm"] = ["phone"]
    out = engine.run(req)
    assert out.outcome == "awaiting_approval" and "confirm them before applying: phone" in out.reason
    assert server.posts == []
    approved = engine_request(db, settings, ids, policy="never", approved=True)
    approved.profile["to_confirm"] = ["phone"]
    assert engine.run(approved).outcome == "submitted" and len(server.posts) == 1


def test_account_wall_is_handed_to_a_person(engine, db, settings, server):
    server.pages["/acme.wd3.myworkdayjobs.com/job/1/apply"] = page(
        "Sign In", "<h2>Sign In</h2><label for=e>Email</label><input id=e><label for=p>Password</label>"
                   "<input id=p type=password><button>Sign In</button>")
    ids = make_application(db, settings, server.url("/acme.wd3.myworkdayjobs.com/job/1/apply"))
    out = engine.run(engine_request(db, settings, ids))
    assert out.outcome == "needs_human" and "Workday" in out.reason
    assert out.ats == "workday"
