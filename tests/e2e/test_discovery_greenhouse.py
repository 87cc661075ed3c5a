"""Greenhouse discovery: real shapes, idempotency, closing, unknown boards and rate limits (CLI end to end)."""

from __future__ import annotations

import json

import pytest

from tests.support.board_server import BoardServer, greenhouse_job

BACKEND_HTML = ("<h2>About the role</h2><p>Build payment APIs &amp; services.</p><h3>Requirements:</h3>"
                "<ul><li>4+ years of experience with Python and Django</li><li>PostgreSQL</li></ul>")


@pytest.fixture
def board():
    with BoardServer() as server:
        server.json("/v1/boards/acme/jobs", {"jobs": [
            greenhouse_job(101, "Backend Engineer", BACKEND_HTML, "Remote", offices=["Bengaluru, India"]),
            greenhouse_job(102, "Data Analyst", "<p>SQL and Tableau</p>", "Mumbai, India", double_encode=False),
        ], "meta": {"total": 2}})
        yield server


def _discover(run_talvix, board, *extra):
    return run_talvix("discover", "--source", "greenhouse:acme", "--base-url", board.url, *extra)


def _jobs(run_talvix):
    out = run_talvix("jobs", "--json")
    assert out.returncode == 0, out.stderr
    return {j["title"]: j for j in json.loads(out.stdout)}


def test_discover_creates_one_job_per_posting_with_decoded_description(run_talvix, board, db):
    out = _discover(run_talvix, board, "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["listed"], report["new"], report["jd_parse_queued"]) == (2, 2, 2)
    assert board.requests[0] == "/v1/boards/acme/jobs?content=true"
    jobs = _jobs(run_talvix)
    backend = jobs["Backend Engineer"]
    for key in ("id", "source", "company", "title", "location", "url", "apply_url", "ats", "status"):
        assert key in backend
    assert backend["ats"] == "greenhouse" and backend["status"] == "open"
    assert backend["url"] == "https://boards.greenhouse.io/acme/jobs/101"
    assert backend["workplace"] == "remote"
    assert "Bengaluru" in backend["location"]  # a work-model-only location gains the office
    row = db.one("SELECT description, canonical_key FROM jobs WHERE id = %s", (backend["id"],))
    assert row["canonical_key"] == "greenhouse:acme:101"
    assert "Build payment APIs & services." in row["description"]
    assert "&lt;" not in row["description"] and "<p>" not in row["description"] and "&amp;" not in row["description"]
    assert "- 4+ years of experience with Python and Django" in row["description"]
    keys = {t["idempotency_key"] for t in db.execute("SELECT idempotency_key FROM tasks WHERE agent = 'jd_parse'")}
    assert len(keys) == 2 and all(k.startswith("jd_parse:job:") for k in keys)


def test_running_discovery_twice_adds_nothing(run_talvix, board, db):
    assert _discover(run_talvix, board).returncode == 0
    out = _discover(run_talvix, board, "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["new"], report["changed"], report["unchanged"], report["jd_parse_queued"]) == (0, 0, 2, 2)
    assert db.one("SELECT count(*) AS n FROM jobs")["n"] == 2
    assert db.one("SELECT count(*) AS n FROM tasks WHERE agent = 'jd_parse'")["n"] == 2


def test_changed_description_is_parsed_again(run_talvix, board, db):
    assert _discover(run_talvix, board).returncode == 0
    board.json("/v1/boards/acme/jobs", {"jobs": [
        greenhouse_job(101, "Backend Engineer", BACKEND_HTML + "<p>Kafka is a plus.</p>", "Remote"),
        greenhouse_job(102, "Data Analyst", "<p>SQL and Tableau</p>", "Mumbai, India", double_encode=False)]})
    report = json.loads(_discover(run_talvix, board, "--json").stdout)
    assert (report["new"], report["changed"]) == (0, 1)
    assert db.one("SELECT count(*) AS n FROM tasks WHERE agent = 'jd_parse'")["n"] == 3


def test_job_no_longer_listed_is_closed_not_deleted(run_talvix, board, db):
    assert _discover(run_talvix, board).returncode == 0
    board.json("/v1/boards/acme/jobs", {"jobs": [greenhouse_job(101, "Backend Engineer", BACKEND_HTML)]})
    report = json.loads(_discover(run_talvix, board, "--json").stdout)
    assert report["closed"] == 1
    rows = {r["canonical_key"]: r for r in db.execute("SELECT canonical_key, status, closed_at FROM jobs")}
    assert rows["greenhouse:acme:102"]["status"] == "closed" and rows["greenhouse:acme:102"]["closed_at"] is not None
    assert rows["greenhouse:acme:101"]["status"] == "open"


def test_unknown_board_is_a_clear_error_and_disturbs_nothing(run_talvix, board, db):
    assert _discover(run_talvix, board).returncode == 0
    before = db.execute("SELECT id, status, updated_at FROM jobs ORDER BY id")
    out = run_talvix("discover", "--source", "greenhouse:nosuchboard", "--base-url", board.url)
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "nosuchboard" in lines[0] and "not found" in lines[0]
    assert "Traceback" not in out.stderr
    assert db.execute("SELECT id, status, updated_at FROM jobs ORDER BY id") == before
    assert db.one("SELECT count(*) AS n FROM sites WHERE paused")["n"] == 0


def test_rate_limited_source_is_paused_with_a_visible_reason(run_talvix, board, db):
    board.json("/v1/boards/acme/jobs", {"error": "slow down"}, status=429, headers={"Retry-After": "900"})
    out = _discover(run_talvix, board)
    assert out.returncode != 0
    assert "429" in out.stderr and "paused" in out.stderr
    site = db.one("SELECT * FROM sites WHERE site = %s", (board.url.split("//")[1],))
    assert site["paused"] and "429" in site["pause_reason"] and site["paused_until"] is not None
    warning = db.one("SELECT * FROM events WHERE level = 'warning' AND kind = 'site' ORDER BY id DESC LIMIT 1")
    assert warning is not None and "greenhouse:acme" in warning["message"]
    asked = len(board.requests)
    again = _discover(run_talvix, board)
    assert again.returncode != 0 and "paused" in again.stderr
    assert len(board.requests) == asked  # a paused source is not asked again
    assert db.one("SELECT count(*) AS n FROM jobs")["n"] == 0


def test_base_url_comes_from_talvix_toml(run_talvix, board, data_dir, db):
    (data_dir / "talvix.toml").write_text(f'[discovery]\ngreenhouse_base_url = "{board.url}"\nretries = 0\n')
    out = run_talvix("discover", "--source", "greenhouse:acme", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["new"] == 2


def test_bad_source_name_is_a_one_line_error(run_talvix):
    out = run_talvix("discover", "--source", "workday:acme")
    assert out.returncode != 0
    assert "greenhouse:BOARD" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_discover_agent_pauses_on_403_and_waits(settings, db, board):
    from core import queue
    from core.models import NewTask
    from runners.runner import run_until_idle

    board.json("/v1/boards/acme/jobs", {"error": "forbidden"}, status=403)
    task, _ = queue.enqueue(db, NewTask("discover", {"source": "greenhouse:acme", "base_url": board.url}))
    run_until_idle(settings, db, ["discover"], timeout_s=60)
    row = queue.get_task(db, task.id)
    assert row.status == "failed" and "403" in (row.last_error or "")
    assert db.one("SELECT EXTRACT(EPOCH FROM run_at - now()) AS s FROM tasks WHERE id = %s", (task.id,))["s"] > 25
    site = db.one("SELECT paused, pause_reason FROM sites WHERE site = %s", (board.url.split("//")[1],))
    assert site["paused"] and "403" in site["pause_reason"]


def test_discover_agent_queues_jd_parse_follow_ons(settings, db, board):
    from core import queue
    from core.models import NewTask
    from runners.runner import run_until_idle

    task, _ = queue.enqueue(db, NewTask("discover", {"source": "greenhouse:acme", "base_url": board.url}))
    run_until_idle(settings, db, ["discover"], timeout_s=60)
    assert queue.get_task(db, task.id).status == "succeeded"
    kids = db.execute("SELECT agent, payload, parent_id FROM tasks WHERE agent = 'jd_parse' ORDER BY id")
    assert len(kids) == 2 and all(k["parent_id"] == task.id for k in kids)


def test_discover_agent_fails_for_good_on_unknown_board(settings, db, board):
    from core import queue
    from core.models import NewTask
    from runners.runner import run_until_idle

    task, _ = queue.enqueue(db, NewTask("discover", {"source": "greenhouse:gone", "base_url": board.url}))
    run_until_idle(settings, db, ["discover"], timeout_s=60)
    row = queue.get_task(db, task.id)
    assert row.status == "dead" and "not found" in row.last_error
