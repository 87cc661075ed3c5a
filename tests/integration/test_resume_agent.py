"""The resume_parse agent: re-parses a stored resume, merges the profile file on top, enqueues score."""

from __future__ import annotations

import json
from pathlib import Path

from core import queue
from core.candidates.intake import add_candidate
from core.candidates.store import candidate_profile
from core.crypto import load_cipher
from core.models import NewTask
from core.storage import Storage
from runners.runner import run_until_idle
from tests.support import resume_samples as rs

PROFILE_TOML = """
[identity]
location = "Pune, Maharashtra"

[work]
notice_period_days = 30
expected_ctc_lpa = 42.5

[skills_years]
Python = 6
"""


def _add(settings, db, tmp_path: Path, profile: str | None = None) -> int:
    storage = Storage(settings.storage_path)
    storage.ensure()
    prof = None
    if profile is not None:
        prof = tmp_path / "profile.toml"
        prof.write_text(profile)
    return add_candidate(db, storage, load_cipher(settings), rs.write_text(tmp_path), prof).candidate_id


def test_reparse_updates_profile_with_profile_file_winning_and_enqueues_score(settings, db, tmp_path) -> None:
    cid = _add(settings, db, tmp_path, PROFILE_TOML)
    # Someone edited the stored profile JSON by hand; a re-parse rebuilds it from resume + profile file.
    db.execute("UPDATE candidates SET profile = jsonb_set(profile, '{skills}', '[]') WHERE id = %s", (cid,))
    task, _ = queue.enqueue(db, NewTask(agent="resume_parse", payload={"candidate_id": cid}, candidate_id=cid))
    run_until_idle(settings, db, agents=["resume_parse"], timeout_s=60)
    done = queue.get_task(db, task.id)
    assert done.status == "succeeded", done.last_error
    profile = candidate_profile(db, load_cipher(settings), cid)
    assert profile["identity"]["location"] == "Pune, Maharashtra"  # the profile file wins
    assert profile["identity"]["email"] == "priya.sharma@example.com"  # from the resume
    assert profile["work"]["notice_period_days"] == 30 and profile["skills_years"] == {"Python": 6}
    assert "Kubernetes" in profile["skills"]
    sha = db.one("SELECT resume_sha256 FROM candidates WHERE id = %s", (cid,))["resume_sha256"]
    score = db.one("SELECT * FROM tasks WHERE agent = 'score' AND idempotency_key = %s",
                   (f"score:candidate:{cid}:{sha}",))
    assert score is not None and score["payload"] == {"candidate_id": cid} and score["status"] == "queued"
    art = db.one("SELECT * FROM artifacts WHERE kind = 'parsed_resume' AND task_id = %s", (task.id,))
    assert art is not None and art["path"].startswith("parsed-resumes/")
    saved = json.loads((settings.storage_path / art["path"]).read_text())
    assert saved["identity"]["first_name"] == "Priya" and saved["confidence"]["email"] > 0.9


def test_corrupt_stored_resume_ends_in_needs_human_and_changes_nothing(settings, db, tmp_path) -> None:
    cid = _add(settings, db, tmp_path)
    before = db.one("SELECT profile, resume_sha256 FROM candidates WHERE id = %s", (cid,))
    path = db.one("SELECT resume_path FROM candidates WHERE id = %s", (cid,))["resume_path"]
    (settings.storage_path / path).write_bytes(b"%PDF-1.4\nnot really a pdf\n%%EOF")
    tasks_before = db.one("SELECT count(*) AS n FROM tasks")["n"]
    task, _ = queue.enqueue(db, NewTask(agent="resume_parse", payload={"candidate_id": cid}))
    run_until_idle(settings, db, agents=["resume_parse"], timeout_s=60)
    parked = queue.get_task(db, task.id)
    assert parked.status == "needs_human"
    assert "corrupt PDF" in parked.last_error
    after = db.one("SELECT profile, resume_sha256 FROM candidates WHERE id = %s", (cid,))
    assert after == before
    assert db.one("SELECT count(*) AS n FROM tasks")["n"] == tasks_before + 1  # no follow-on


def test_encrypted_resume_by_path_ends_in_needs_human_with_the_reason(settings, db, tmp_path) -> None:
    locked = rs.write_encrypted_pdf(tmp_path)
    task, _ = queue.enqueue(db, NewTask(agent="resume_parse", payload={"path": str(locked)}))
    run_until_idle(settings, db, agents=["resume_parse"], timeout_s=60)
    parked = queue.get_task(db, task.id)
    assert parked.status == "needs_human" and "password-protected" in parked.last_error


def test_parse_by_path_saves_json_and_returns_the_profile(settings, db, tmp_path) -> None:
    docx = rs.write_docx_with_table(tmp_path)
    task, _ = queue.enqueue(db, NewTask(agent="resume_parse", payload={"path": str(docx)}))
    run_until_idle(settings, db, agents=["resume_parse"], timeout_s=60)
    done = queue.get_task(db, task.id)
    assert done.status == "succeeded"
    from core.crypto import is_sealed, load_cipher, open_sealed

    assert is_sealed(done.result["profile"])  # personal data in tasks.result is sealed (issue 11)
    assert open_sealed(load_cipher(settings), done.result["profile"])["name"] == "Kavya Reddy"
    assert (settings.storage_path / done.result["parsed_path"]).is_file()


def test_payload_needs_exactly_one_source(settings, db) -> None:
    task, _ = queue.enqueue(db, NewTask(agent="resume_parse", payload={}))
    run_until_idle(settings, db, agents=["resume_parse"], timeout_s=60)
    dead = queue.get_task(db, task.id)
    assert dead.status == "dead" and "candidate_id or path" in dead.last_error
