"""End to end: a loopback Greenhouse board -> discover -> jd_parse -> score -> applications and tailor tasks."""

from __future__ import annotations

import pytest

from core import queue
from core.candidates.store import save_candidate
from core.crypto import load_cipher
from core.models import NewTask
from runners.runner import run_until_idle
from tests.support.board_server import BoardServer, greenhouse_job

AGENTS = ["discover", "jd_parse", "score"]
BACKEND = ("<h3>Requirements:</h3><ul><li>3+ years of experience with Python, Django and PostgreSQL</li>"
           "<li>REST APIs</li></ul><h3>Nice to have:</h3><ul><li>Kubernetes</li></ul>"
           "<p>Compensation: 20-30 LPA. Hybrid, Bengaluru.</p>")
ANDROID = "<h3>Requirements:</h3><ul><li>5+ years of experience with Kotlin and Android</li></ul>"


def profile(email, skills, years, location="Bengaluru, India", **work):
    return {"identity": {"first_name": "Asha", "last_name": "Rao", "email": email, "location": location},
            "summary": "Backend engineer building Python and Django services",
            "skills": skills, "work": {"years_experience": years, **work},
            "experience": [{"employer": "Paytm", "title": "Backend Engineer", "start": "2021-01",
                            "bullets": ["Built Django REST APIs on PostgreSQL"]}]}


@pytest.fixture
def board():
    with BoardServer() as server:
        server.json("/v1/boards/acme/jobs", {"jobs": [
            greenhouse_job(101, "Backend Engineer", BACKEND, "Bengaluru, India"),
            greenhouse_job(102, "Android Developer", ANDROID, "Remote")]})
        yield server


def seed(settings, db, email, skills, years, **kw):
    cid, _ = save_candidate(db, load_cipher(settings), profile(email, skills, years, **kw))
    return cid


def test_discovered_job_flows_to_an_application_and_a_tailor_task(settings, db, board):
    good = seed(settings, db, "asha@example.com", ["Python", "Django", "PostgreSQL", "REST APIs"], 5,
                expected_ctc_lpa=24)
    weak = seed(settings, db, "ravi@example.com", ["Excel"], 1)
    queue.enqueue(db, NewTask("discover", {"source": "greenhouse:acme", "base_url": board.url}))
    run_until_idle(settings, db, AGENTS, timeout_s=120)

    states = {(r["agent"], r["status"]): r["n"] for r in db.execute(
        "SELECT agent, status, count(*) AS n FROM tasks GROUP BY agent, status")}
    assert states[("discover", "succeeded")] == 1
    assert states[("jd_parse", "succeeded")] == 2 and states[("score", "succeeded")] == 2
    assert not any(s in ("failed", "dead") for _, s in states)

    apps = db.execute("SELECT * FROM applications ORDER BY id")
    assert len(apps) == 1
    app = apps[0]
    job = db.one("SELECT id, parsed FROM jobs WHERE canonical_key = 'greenhouse:acme:101'")
    assert (app["candidate_id"], app["job_id"]) == (good, job["id"])
    assert app["decision"] == "apply" and app["status"] == "preparing" and app["score"] >= 70
    assert set(app["score_breakdown"]["components"]["skills"]["matched_required"]) == \
        {"Python", "Django", "PostgreSQL", "REST APIs"}
    assert job["parsed"]["salary"]["max_lpa"] == 30.0
    tailor = db.execute("SELECT * FROM tasks WHERE agent = 'tailor'")
    assert len(tailor) == 1
    assert tailor[0]["payload"] == {"application_id": app["id"]} and tailor[0]["idempotency_key"] == f"tailor:{app['id']}"
    assert tailor[0]["status"] == "queued"
    assert not db.execute("SELECT 1 FROM applications WHERE candidate_id = %s", (weak,))

    # Discovering again changes nothing downstream.
    queue.enqueue(db, NewTask("discover", {"source": "greenhouse:acme", "base_url": board.url}, key="again"))
    run_until_idle(settings, db, AGENTS, timeout_s=120)
    assert db.one("SELECT count(*) AS n FROM applications")["n"] == 1
    assert db.one("SELECT count(*) AS n FROM tasks WHERE agent IN ('jd_parse', 'score', 'tailor')")["n"] == 5


def test_a_new_candidate_is_scored_against_open_jobs(settings, db, board):
    queue.enqueue(db, NewTask("discover", {"source": "greenhouse:acme", "base_url": board.url}))
    run_until_idle(settings, db, AGENTS, timeout_s=120)
    assert db.one("SELECT count(*) AS n FROM applications")["n"] == 0
    cid = seed(settings, db, "meera@example.com", ["Python", "Django", "PostgreSQL", "REST APIs"], 4)
    task, _ = queue.enqueue(db, NewTask("score", {"candidate_id": cid}, key=f"score:candidate:{cid}"))
    run_until_idle(settings, db, ["score"], timeout_s=120)
    assert queue.get_task(db, task.id).status == "succeeded"
    app = db.one("SELECT * FROM applications WHERE candidate_id = %s", (cid,))
    assert app["decision"] == "apply" and app["status"] == "preparing"
    assert db.one("SELECT count(*) AS n FROM tasks WHERE agent = 'tailor'")["n"] == 1


def test_review_decision_creates_an_application_without_a_tailor_task(settings, db, board, monkeypatch):
    settings.score.apply_threshold = 99.0
    settings.score.review_threshold = 40.0
    cid = seed(settings, db, "asha@example.com", ["Python", "Django", "PostgreSQL", "REST APIs"], 5)
    queue.enqueue(db, NewTask("discover", {"source": "greenhouse:acme", "base_url": board.url}))
    run_until_idle(settings, db, AGENTS, timeout_s=120)
    app = db.one("SELECT * FROM applications WHERE candidate_id = %s", (cid,))
    assert app["decision"] == "review" and app["status"] == "matched"
    assert db.one("SELECT count(*) AS n FROM tasks WHERE agent = 'tailor'")["n"] == 0


def test_a_knocked_out_candidate_gets_no_application(settings, db, board):
    seed(settings, db, "far@example.com", ["Python", "Django", "PostgreSQL", "REST APIs"], 5, location="Mumbai, India")
    queue.enqueue(db, NewTask("discover", {"source": "greenhouse:acme", "base_url": board.url}))
    run_until_idle(settings, db, AGENTS, timeout_s=120)
    assert db.one("SELECT count(*) AS n FROM applications")["n"] == 0
    result = db.one("SELECT result FROM tasks WHERE agent = 'score' AND payload->>'job_id' IS NOT NULL "
                    "AND (result->'decisions'->>'skip')::int > 0 LIMIT 1")
    assert result is not None


def test_score_preview_command_writes_nothing(settings, db, board, run_talvix):
    import json

    cid = seed(settings, db, "asha@example.com", ["Python", "Django", "PostgreSQL", "REST APIs"], 5)
    assert run_talvix("discover", "--source", "greenhouse:acme", "--base-url", board.url).returncode == 0
    out = run_talvix("score", "--candidate", str(cid), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["pairs"] == 2 and data["matches"][0]["decision"] == "apply"
    assert data["matches"][0]["breakdown"]["components"]["skills"]["score"] > 0.5
    assert db.one("SELECT count(*) AS n FROM applications")["n"] == 0


def test_a_burst_of_new_candidates_is_scored_by_a_runner_against_one_kept_index(settings, db, board):
    from core.scoring.run import OPEN_JOBS

    queue.enqueue(db, NewTask("discover", {"source": "greenhouse:acme", "base_url": board.url}))
    run_until_idle(settings, db, AGENTS, timeout_s=120)
    cids = [seed(settings, db, f"c{i}@example.com", ["Python", "Django", "PostgreSQL", "REST APIs"], 4 + i % 3)
            for i in range(6)]
    OPEN_JOBS.clear()
    builds = OPEN_JOBS.builds
    queue.enqueue_many(db, [NewTask("score", {"candidate_id": c}, key=f"score:candidate:{c}") for c in cids])
    run_until_idle(settings, db, ["score"], timeout_s=120)  # the score agent runs two tasks at once
    assert OPEN_JOBS.builds == builds + 1
    assert db.one("SELECT count(*) AS n FROM tasks WHERE agent = 'score' AND status = 'succeeded'")["n"] == 2 + 6
    apps = db.execute("SELECT candidate_id, decision, status FROM applications ORDER BY candidate_id")
    assert [a["candidate_id"] for a in apps] == cids
    assert all(a["decision"] == "apply" and a["status"] == "preparing" for a in apps)
    assert db.one("SELECT count(*) AS n FROM tasks WHERE agent = 'tailor'")["n"] == 6
    OPEN_JOBS.clear()
