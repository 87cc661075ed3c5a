"""``talvix apply``: one form, one candidate, from the command line; recorded like any application."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.support.apply_helpers import (
    PROFILE_TOML,
    THANKS,
    PageServer,
    company_form,
    page,
)
from tests.support.common import talvix_cmd, wait_for

FIELD_KEYS = {"label", "name", "type", "required", "value", "source", "confidence"}


@pytest.fixture
def server() -> Iterator[PageServer]:
    srv = PageServer({"/form": company_form(), "/apply/thanks": THANKS, "/knockout": company_form(knockout=True)})
    yield srv
    srv.close()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    profile = tmp_path / "asha.toml"
    profile.write_text(PROFILE_TOML)
    resume = tmp_path / "asha-resume.pdf"
    resume.write_bytes(b"%PDF-1.4\n% resume\n")
    return {"profile": str(profile), "resume": str(resume)}


FAST = {"TALVIX_SITES": json.dumps({"default": {"min_interval_seconds": 0}}), "TALVIX_APPLY__FORM_TIMEOUT_S": "4",
        "TALVIX_APPLY__CONFIRM_TIMEOUT_S": "5"}


def _apply(run_talvix, files, url, *extra):
    return run_talvix("apply", "--url", url, "--resume", files["resume"], "--profile", files["profile"], *extra,
                      env=FAST)


def test_dry_run_prints_the_documented_json_and_submits_nothing(run_talvix, server, files, tmp_path, db):
    shots = tmp_path / "shots"
    res = _apply(run_talvix, files, server.url("/form"), "--dry-run", "--json", "--screenshots", str(shots))
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert list(out) == ["outcome", "ats", "reason", "fields", "unanswered", "screenshots", "receipt"]
    assert out["outcome"] == "dry_run" and out["ats"] == "generic" and out["unanswered"] == []
    assert all(set(f) == FIELD_KEYS for f in out["fields"])
    assert {f["name"]: f["value"] for f in out["fields"]}["email"] == "asha@example.com"
    assert out["screenshots"] and all(Path(p).parent == shots and Path(p).is_file() for p in out["screenshots"])
    assert Path(out["receipt"]).is_file()
    assert server.posts == []
    row = db.one("SELECT a.status, c.resume_path FROM applications a JOIN candidates c ON c.id = a.candidate_id")
    assert row["status"] == "ready" and row["resume_path"].startswith("parsed-resumes/")


def test_submit_then_a_second_run_is_already_applied(run_talvix, server, files):
    first = _apply(run_talvix, files, server.url("/form"), "--submit", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["outcome"] == "submitted"
    second = _apply(run_talvix, files, server.url("/form"), "--submit", "--json")
    assert second.returncode == 5
    assert json.loads(second.stdout)["outcome"] == "already_applied"
    assert len(server.posts) == 1


def test_knockout_exits_3_naming_the_question(run_talvix, server, files):
    res = _apply(run_talvix, files, server.url("/knockout"), "--submit")
    assert res.returncode == 3
    assert "security clearance" in res.stdout
    assert server.posts == []


def test_json_of_a_knockout_carries_the_reason_and_the_receipt(run_talvix, server, files):
    res = _apply(run_talvix, files, server.url("/knockout"), "--submit", "--json")
    assert res.returncode == 3
    out = json.loads(res.stdout)
    assert out["outcome"] == "needs_human" and "security clearance" in out["reason"]
    assert out["receipt"] and Path(out["receipt"]).is_file()
    assert json.loads(Path(out["receipt"]).read_text())["reason"] == out["reason"]


def test_apply_uses_the_site_proxy_exactly_as_the_agent_does(run_talvix, server, files):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = s.getsockname()[1]
    s.close()
    site = f"127.0.0.1:{server.port}"
    env = {**FAST, "TALVIX_APPLY__SITE_PROXY_ENV": json.dumps({site: "ACME_PROXY"}), "ACME_PROXY": f"http://127.0.0.1:{dead}"}
    res = run_talvix("apply", "--url", server.url("/form"), "--resume", files["resume"], "--profile", files["profile"],
                     "--dry-run", "--json", env=env)
    assert res.returncode == 1, res.stderr
    out = json.loads(res.stdout)
    assert out["outcome"] == "failed" and out["reason"].startswith("network error: ERR_")
    assert "through the proxy" in out["reason"] and out["receipt"]
    assert server.posts == [] and not any(p["path"] == "/form" for p in server.posts)


def test_a_missing_profile_is_one_clear_line(run_talvix, server, files):
    res = run_talvix("apply", "--url", server.url("/form"), "--resume", files["resume"], "--profile", "/nope.toml",
                     "--dry-run")
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == ["talvix: error: profile file not found: /nope.toml"]


def test_too_little_memory_for_a_browser_is_one_clear_line_and_opens_nothing(run_talvix, server, files, db):
    loads: list[str] = []
    server.pages["/counted"] = lambda h: (loads.append(h.path), (200, company_form()))[1]
    res = run_talvix("apply", "--url", server.url("/counted"), "--resume", files["resume"], "--profile",
                     files["profile"], "--submit", env={**FAST, "TALVIX_APPLY__MIN_FREE_MEMORY_MB": "1000000000"})
    assert res.returncode == 1, res.stdout
    [line] = res.stderr.strip().splitlines()
    assert line.startswith("talvix: error: not enough memory to start a browser: "), line
    assert "apply.min_free_memory_mb is 1000000000" in line and "TALVIX_APPLY__MIN_FREE_MEMORY_MB" in line
    assert loads == [] and server.posts == []
    assert db.value("SELECT count(*) FROM apply_sessions") == 0


def test_sigterm_mid_session_leaves_no_browser_behind(talvix_env, server, files, data_dir):
    server.pages["/slow"] = lambda h: (time.sleep(30), (200, page("slow", "<p>slow</p>")))[1]
    proc = subprocess.Popen(talvix_cmd("apply", "--url", server.url("/slow"), "--resume", files["resume"],
                                       "--profile", files["profile"], "--dry-run"),
                            env={**talvix_env, **FAST}, cwd=str(data_dir), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    marker = f"talvix-chrome-{proc.pid}-"

    def browsers() -> list[int]:
        pids = []
        for p in psutil.process_iter(["cmdline"]):
            try:
                if any(marker in a for a in (p.info.get("cmdline") or [])):
                    pids.append(p.pid)
            except psutil.Error:
                continue
        return pids

    try:
        wait_for(browsers, timeout=60, message="the CLI's browser to start")
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0
    wait_for(lambda: not browsers(), timeout=15, message="no browser left behind")
