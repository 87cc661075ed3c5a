"""Each adapter fills and submits the sandbox's ATS-shaped forms in real Chromium.

The sandbox records what the browser actually posted (as the label a person would read and the option
text they would see), so each test checks the employer's side of the submission, not only Talvix's.
One sandbox and one Chromium serve the module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.apply_engine.browser import Browser
from core.apply_engine.engine import ApplyEngine
from core.storage import Storage
from sandbox import SandboxServer
from tests.support.apply_helpers import engine_request, make_application, tune


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as sb:
        yield sb


@pytest.fixture
def run(settings: Any, db: Any, browser: Browser, sandbox: SandboxServer):
    tune(settings, confirm_timeout_s=5.0)
    sandbox.state.reset()

    def _run(key: str, **kw: Any) -> tuple[Any, dict[str, int]]:
        ids = make_application(db, settings, sandbox.apply_url(key))
        engine = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser)
        return engine.run(engine_request(db, settings, ids, **kw)), ids

    return _run


COMMON = {"Email": "asha@example.com", "Are you legally authorized to work in India?": "Yes",
          "What is your notice period?": "30 days", "How did you hear about us?": "Company website"}


@pytest.mark.parametrize("key, ats, expected", [
    ("gh-backend", "greenhouse", {**COMMON, "First Name": "Asha", "Last Name": "Raman", "Resume/CV": "resume.pdf",
                                  "Gender": "Decline To Self Identify", "Veteran Status": "I don't wish to answer"}),
    ("ghr-frontend", "greenhouse_react", {**COMMON, "First Name": "Asha", "Resume/CV": "resume.pdf",
                                          "Race": "Decline To Self Identify"}),
    ("lever-fullstack", "lever", {**COMMON, "Full name": "Asha Raman", "Current company": "Acme Analytics",
                                  "GitHub URL": "https://github.com/asharaman", "Resume/CV": "resume.pdf"}),
    ("ashby-product", "ashby", {**COMMON, "Name": "Asha Raman", "Resume": "resume.pdf",
                                "Are you willing to relocate?": "Yes"}),
    ("generic-python", "generic", {"Full name": "Asha Raman", "Email address": "asha@example.com",
                                   "Mobile number": "+91 98450 00000", "Notice period": "30 days",
                                   "Highest qualification": "B.Tech / B.E.", "Years of Python experience": "5",
                                   "LinkedIn URL": "https://www.linkedin.com/in/asha-raman",
                                   "I confirm the above is true": "checked", "Current CTC (in LPA)": "18"}),
])
def test_adapter_fills_and_submits(run, sandbox, key, ats, expected):
    out, ids = run(key)
    assert out.outcome == "submitted", out.reason
    assert out.ats == ats
    [sub] = sandbox.state.submissions(key)
    answers = {k: v for k, v in sub["answers"].items()}
    for label, value in expected.items():
        got = answers.get(label)
        assert (got.endswith(value) if label.startswith(("Resume", "Upload")) else got == value), (label, got)
    assert "Expected CTC (in LPA)" not in answers  # salary the candidate did not set stays blank
    assert sandbox.state.submissions(key, rejected=True) == []


def test_ashby_decoy_autofill_upload_is_never_filled(run, sandbox):
    out, _ = run("ashby-ds")
    assert out.outcome == "submitted", out.reason
    [sub] = sandbox.state.submissions("ashby-ds")
    assert [f["field"] for f in sub["files"]] == ["_systemfield_resume"]
    assert all("autofill" not in (f["name"] or "").lower() for f in out.fields())


@pytest.mark.parametrize("key", ["gh-knockout", "lever-knockout"])
def test_knockout_question_needs_a_human_and_nothing_is_sent(run, sandbox, key):
    out, _ = run(key)
    assert out.outcome == "needs_human"
    assert "Years of experience with COBOL" in out.unanswered
    assert "COBOL" in out.reason
    assert sandbox.state.submissions(key) == [] and sandbox.state.submissions(key, rejected=True) == []


def test_dry_run_on_a_react_form_submits_nothing(run, sandbox):
    out, _ = run("ghr-sre", submit=False)
    assert out.outcome == "dry_run", out.reason
    combos = [f for f in out.fields() if f["type"] == "combobox"]
    assert combos and all(f["value"] for f in combos if f["required"])
    assert sandbox.state.submissions("ghr-sre") == []


@pytest.mark.parametrize("key, name", [("workday-se", "Workday"), ("linkedin-pm", "LinkedIn"), ("naukri-qa", "Naukri")])
def test_account_walls_go_to_a_human_with_the_reason(run, key, name):
    out, _ = run(key)
    assert out.outcome == "needs_human"
    assert name in out.reason


def test_captcha_fault_pauses_the_site(run, sandbox, db, settings):
    settings.apply.block_threshold = 1  # the site pauses at its first block (the default waits for three)
    sandbox.state.faults.add({"kind": "captcha", "job": "gh-data"})
    out, ids = run("gh-data")
    assert out.outcome == "needs_human" and out.blocked and out.blocked.kind == "captcha"
    row = db.one("SELECT paused, pause_reason FROM sites WHERE site = %s", (f"127.0.0.1:{sandbox.port}",))
    assert row["paused"] and "captcha" in row["pause_reason"]
    assert sandbox.state.submissions("gh-data") == []


def test_dropped_submit_response_is_unknown_outcome(run, sandbox, db):
    sandbox.state.faults.add({"kind": "drop_submit", "job": "lever-ml"})
    out, ids = run("lever-ml")
    assert out.outcome == "unknown_outcome"
    sent = len(sandbox.state.submissions("lever-ml"))
    assert sent >= 1  # the site got it; Talvix cannot know
    again, _ = run("lever-ml")  # a later run for the same candidate and job
    assert again.outcome == "unknown_outcome"
    assert len(sandbox.state.submissions("lever-ml")) == sent
    row = db.one("SELECT status FROM applications WHERE id = %s", (ids["application_id"],))
    assert row["status"] == "unknown_outcome"
