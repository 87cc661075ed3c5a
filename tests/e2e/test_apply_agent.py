"""The ``apply`` agent under a real runner: approvals with edited answers, and a crash after the marker.

A crash between the submit marker and the confirmation is a real one: a runner process is SIGKILLed
while the employer's server holds the submit response. Its browser must not outlive it, the reaper
must hand the application to a person as ``unknown_outcome``, and a later attempt must not submit again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

from core import queue
from core.jobs.store import site_of
from core.models import NewTask
from runners.runner import run_until_idle
from tests.support.apply_helpers import (
    THANKS,
    PageServer,
    company_form,
    make_application,
    tune,
)
from tests.support.common import REPO, wait_for


@pytest.fixture
def server() -> Iterator[PageServer]:
    srv = PageServer({"/form": company_form(), "/apply/thanks": THANKS, "/hang": company_form(action="/hang-submit")})
    srv.hang.add("/hang-submit")
    yield srv
    srv.close()


def _enqueue(db: Any, ids: dict[str, int], url: str) -> int:
    task, _ = queue.enqueue(db, NewTask("apply", {"application_id": ids["application_id"]},
                                        key=f"apply:{ids['application_id']}", application_id=ids["application_id"],
                                        candidate_id=ids["candidate_id"], job_id=ids["job_id"], site=site_of(url)))
    return task.id


def test_apply_agent_is_registered_with_a_global_cap_of_two():
    from agents import get_agent

    agent = get_agent("apply")
    assert agent.global_concurrency == 2


def test_approval_with_an_edited_answer_submits_the_edited_value(settings, db, server):
    tune(settings)
    url = server.url("/form")
    ids = make_application(db, settings, url, policy="always")
    task_id = _enqueue(db, ids, url)
    run_until_idle(settings, db, ["apply"], concurrency=1, timeout_s=90)
    task = queue.get_task(db, task_id)
    assert task.status == "awaiting_approval", task.last_error
    from core.crypto import load_cipher, open_sealed

    assert "98450" not in json.dumps(task.result)  # the answers are sealed at rest (issue 11)
    fields = open_sealed(load_cipher(settings), task.result["answer_sheet"]["fields"])
    assert {"label": "Phone", "value": "+91 98450 00000"}.items() <= next(f for f in fields if f["label"] == "Phone").items()
    assert task.result["screenshots"] and server.posts == []
    app = db.one("SELECT status, answer_sheet FROM applications WHERE id = %s", (ids["application_id"],))
    assert app["status"] == "awaiting_approval" and app["answer_sheet"]["fields"]

    queue.approve(db, task_id, who="op@test", edits={"Phone": "+91 90000 11111"})
    run_until_idle(settings, db, ["apply"], concurrency=1, timeout_s=90)
    task = queue.get_task(db, task_id)
    assert task.status == "succeeded", task.last_error
    [post] = server.posts
    assert post["fields"]["phone"] == ["+91 90000 11111"]
    sheet = db.one("SELECT answer_sheet FROM applications WHERE id = %s", (ids["application_id"],))["answer_sheet"]
    phone = next(f for f in sheet["fields"] if f["label"] == "Phone")
    assert phone["source"] == "operator"
    assert db.one("SELECT status FROM applications WHERE id = %s", (ids["application_id"],))["status"] == "submitted"


def test_knockout_parks_the_task_for_a_person_with_the_answer_sheet(settings, db, server):
    tune(settings)
    server.pages["/ko"] = company_form(knockout=True)
    url = server.url("/ko")
    ids = make_application(db, settings, url)
    task_id = _enqueue(db, ids, url)
    run_until_idle(settings, db, ["apply"], concurrency=1, timeout_s=90)
    task = queue.get_task(db, task_id)
    assert task.status == "needs_human"
    assert "security clearance" in task.last_error
    assert task.result["unanswered"] == ["Do you hold an active security clearance?"]


RUNNER_SCRIPT = """
import sys, threading
sys.path.insert(0, {repo!r})
from core.config import load_settings
from core.db import Database
from runners.runner import Runner
settings = load_settings()
db = Database(settings.database_url.get_secret_value(), min_size=1, max_size=4)
Runner(settings, db, agents=["apply"], concurrency=1).start()
threading.Event().wait()
"""


def _browser_pids(owner: int) -> list[int]:
    marker = f"talvix-chrome-{owner}-"
    out = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if any(marker in a for a in (p.info.get("cmdline") or [])):
                out.append(p.pid)
        except psutil.Error:
            continue
    return out


def test_crash_between_marker_and_confirmation_is_unknown_outcome_never_resubmitted(settings, db, server,
                                                                                      talvix_env):
    tune(settings)
    url = server.url("/hang")
    ids = make_application(db, settings, url)
    task_id = _enqueue(db, ids, url)
    repo = str(REPO)
    env = {**talvix_env, "TALVIX_SITES": json.dumps({"default": {"min_interval_seconds": 0}}),
           "TALVIX_APPLY__CONFIRM_TIMEOUT_S": "120", "TALVIX_APPLY__FORM_TIMEOUT_S": "4"}
    proc = subprocess.Popen([sys.executable, "-c", RUNNER_SCRIPT.format(repo=repo)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: db.one("SELECT submit_marker_at FROM applications WHERE id = %s",
                                (ids["application_id"],))["submit_marker_at"], timeout=90, message="submit marker")
        wait_for(lambda: server.submissions("/hang-submit"), timeout=30, message="the submission to arrive")
        assert _browser_pids(proc.pid), "the runner's browser should be running"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        wait_for(lambda: not _browser_pids(proc.pid), timeout=20, message="the dead runner's browser to be gone")
    finally:
        if proc.poll() is None:
            proc.kill()
    wait_for(lambda: queue.reap(db, runner_stale_s=0.5)["needs_human"] >= 1 or
             queue.get_task(db, task_id).status == "needs_human", timeout=30, message="the reaper")
    task = queue.get_task(db, task_id)
    assert task.status == "needs_human" and "unknown outcome" in task.last_error
    app = db.one("SELECT status FROM applications WHERE id = %s", (ids["application_id"],))
    assert app["status"] == "unknown_outcome"

    queue.retry(db, [task_id], who="op@test")  # an operator retries anyway: still never a second submission
    run_until_idle(settings, db, ["apply"], concurrency=1, timeout_s=60)
    task = queue.get_task(db, task_id)
    assert task.status == "needs_human" and "unknown_outcome" in task.last_error
    assert len(server.submissions("/hang-submit")) == 1


def test_with_too_little_memory_free_the_task_waits_without_a_browser_then_applies_once(settings, db, server):
    # No machine here runs short on purpose: a floor above any machine's memory stands in for a full one.
    tune(settings, min_free_memory_mb=10**9, low_memory_retry_s=300)
    loads: list[str] = []

    def counted(handler: Any) -> tuple[int, str]:
        loads.append(handler.path)
        return 200, company_form()

    server.pages["/counted"] = counted
    url = server.url("/counted")
    ids = make_application(db, settings, url)
    task_id = _enqueue(db, ids, url)
    run_until_idle(settings, db, ["apply"], concurrency=1, timeout_s=60)
    task = queue.get_task(db, task_id)
    assert task.status in ("queued", "failed") and task.attempts == 0, (task.status, task.attempts)
    assert "not enough memory to start a browser" in task.last_error
    assert "apply.min_free_memory_mb is 1000000000" in task.last_error and "concurrency" in task.last_error
    waits = db.value("SELECT extract(epoch FROM run_at - now()) FROM tasks WHERE id = %s", (task_id,))
    assert 250 < waits <= 300
    # Nothing was started: no browser loaded the form, no session was opened, the site's slot was not taken.
    assert loads == [] and server.posts == []
    assert db.value("SELECT count(*) FROM apply_sessions WHERE application_id = %s", (ids["application_id"],)) == 0
    assert db.value("SELECT status FROM applications WHERE id = %s", (ids["application_id"],)) == "ready"
    assert db.value("SELECT count(*) FROM sites WHERE site = %s AND last_action_at IS NOT NULL", (site_of(url),)) == 0

    # Memory is back: the same task applies, once.
    settings.apply.min_free_memory_mb = 0
    db.execute("UPDATE tasks SET run_at = now() WHERE id = %s", (task_id,))
    run_until_idle(settings, db, ["apply"], concurrency=1, timeout_s=90)
    task = queue.get_task(db, task_id)
    assert task.status == "succeeded", task.last_error
    assert len(server.posts) == 1 and loads
