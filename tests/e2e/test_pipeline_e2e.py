"""End to end through real parts: the sandbox job board, Postgres, every agent under real runners, Chromium.

One pipeline run is shared by the module (it takes ~20 s): the sandbox is discovered, the three demo
candidates are scored against its jobs, documents are written, and the apply agent fills the sandbox's
forms in headless Chromium. What the run left behind is captured right after it went idle, so each test
reads the same facts whatever order the tests run in; the approval test then carries the run on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from core import queue
from core.config import Settings, load_settings
from core.db import Database
from demo.pipeline import PipelineHandle, PipelineSummary, start_sandbox_pipeline
from tests.support.common import TEST_KEY, new_database

RUN_TIMEOUT_S = 240


@dataclass
class Snapshot:
    """What the pipeline left behind when it went idle."""

    summary: PipelineSummary
    apps: dict[tuple[str, str], dict[str, Any]]  # (candidate key, sandbox job key) -> application row
    apply_tasks: dict[int, dict[str, Any]]  # application id -> its apply task
    submissions: dict[str, int]  # sandbox job key -> accepted submissions


@pytest.fixture(scope="module")
def env(pg_base_url: str, template_db: str,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Database]]:
    """Settings and a fresh database for the whole module (the shared run needs them beyond one test)."""
    data_dir = tmp_path_factory.mktemp("pipeline") / "data"
    data_dir.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        for var in ("TALVIX_DATABASE_URL", "SUPABASE_DB_URL", "DATABASE_URL", "TALVIX_ENCRYPTION_KEY"):
            mp.delenv(var, raising=False)
        mp.chdir(data_dir)
        url = new_database(pg_base_url, template_db)
        settings = load_settings(data_dir=data_dir, database_url=url, encryption_key=TEST_KEY)
        db = Database(url, min_size=1, max_size=20)
        db.pool.wait(10)
        yield settings, db
        db.close()
        drop_database(pg_base_url, url)


@pytest.fixture(scope="module")
def handle(env: tuple[Settings, Database]) -> Iterator[PipelineHandle]:
    settings, db = env
    with start_sandbox_pipeline(settings, db, data_dir=Path(settings.data_dir) / "sandbox") as h:
        yield h


def drop_database(pg_base_url: str, url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(pg_base_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def snapshot(h: PipelineHandle, summary: PipelineSummary) -> Snapshot:
    by_id = {c.candidate_id: c.key for c in h.candidates}
    apps = {}
    for row in h.db.execute("SELECT * FROM applications ORDER BY id"):
        apps[(by_id[row["candidate_id"]], h.sandbox_key(row["job_id"]))] = row
    tasks = {r["application_id"]: r for r in h.db.execute("SELECT * FROM tasks WHERE agent = 'apply' ORDER BY id")}
    subs: dict[str, int] = {}
    for s in h.sandbox.submissions():
        subs[s["job"]] = subs.get(s["job"], 0) + 1
    return Snapshot(summary, apps, tasks, subs)


@pytest.fixture(scope="module")
def first_run(handle: PipelineHandle) -> Snapshot:
    summary = handle.run_until_done(timeout_s=RUN_TIMEOUT_S)
    assert not summary.timed_out, summary.as_json()
    return snapshot(handle, summary)


@pytest.fixture(scope="module")
def approved_run(handle: PipelineHandle, first_run: Snapshot) -> Snapshot:
    """The operator approves the application waiting for approval; the runners carry it on."""
    app = first_run.apps[("rohan_deshpande", "ghr-frontend")]
    queue.approve(handle.db, first_run.apply_tasks[app["id"]]["id"], who="operator@test")
    summary = handle.run_until_done(timeout_s=RUN_TIMEOUT_S)
    assert not summary.timed_out, summary.as_json()
    return snapshot(handle, summary)


@pytest.fixture(scope="module")
def knock_out_answered(handle: PipelineHandle, approved_run: Snapshot) -> Snapshot:
    """The operator answers the knock-out question the profile could not, and approves."""
    app = approved_run.apps[("suresh_naik", "gh-knockout")]
    queue.approve(handle.db, approved_run.apply_tasks[app["id"]]["id"], who="operator@test",
                  edits={CLEARANCE: "No, I do not hold a security clearance."})
    summary = handle.run_until_done(timeout_s=RUN_TIMEOUT_S)
    assert not summary.timed_out, summary.as_json()
    return snapshot(handle, summary)


CLEARANCE = "Do you hold a valid security clearance? Explain"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------------
def test_every_sandbox_board_is_discovered_and_no_task_dies(handle: PipelineHandle, first_run: Snapshot):
    listed = [j for j in handle.sandbox.jobs if j.listed]
    assert first_run.summary.jobs_discovered == len(listed)
    assert set(first_run.summary.jobs_by_source) == set(handle.sources)
    assert all(n > 0 for n in first_run.summary.jobs_by_source.values())
    discovered = {handle.sandbox_key(r["id"]) for r in handle.db.execute("SELECT id FROM jobs")}
    assert discovered == {j.key for j in listed}
    assert first_run.summary.tasks["discover"] == {"succeeded": len(handle.sources)}
    assert first_run.summary.dead == []
    assert not any("failed" in states or "dead" in states for states in first_run.summary.tasks.values())


def test_scoring_creates_applications_and_prepares_only_the_strong_matches(first_run: Snapshot):
    decided = {pair: row["decision"] for pair, row in first_run.apps.items()}
    prepared = {pair for pair, d in decided.items() if d == "apply"}
    assert prepared == {("ananya_iyer", "gh-backend"), ("rohan_deshpande", "ghr-frontend"),
                        ("suresh_naik", "gh-knockout")}
    assert all(first_run.apps[p]["score"] >= 70 for p in prepared)
    mainframe = first_run.apps[("suresh_naik", "gh-knockout")]["score_breakdown"]["components"]["skills"]
    assert set(mainframe["matched_required"]) == {"COBOL", "Java", "DB2", "z/OS"}
    reviews = [row for pair, row in first_run.apps.items() if pair not in prepared]
    assert all(r["decision"] == "review" and r["status"] == "matched" for r in reviews)
    # Only prepared applications reach a browser.
    assert set(first_run.apply_tasks) == {first_run.apps[p]["id"] for p in prepared}


def test_tailored_resume_cover_letter_and_prep_exist_with_their_hashes(env, handle: PipelineHandle,
                                                                       first_run: Snapshot):
    settings, db = env
    root = Path(settings.storage_path)
    for pair in (("ananya_iyer", "gh-backend"), ("rohan_deshpande", "ghr-frontend"), ("suresh_naik", "gh-knockout")):
        app = first_run.apps[pair]
        docs = app["documents"]
        for kind in ("resume_pdf", "resume_docx", "resume_diff", "cover_letter_txt", "cover_letter_pdf",
                     "cover_letter_docx", "interview_prep"):
            path = root / docs[kind]["path"]
            assert path.is_file(), (pair, kind)
            assert sha256_of(path) == docs[kind]["sha256"], (pair, kind)
        recorded = {r["kind"]: r["sha256"] for r in db.execute(
            "SELECT kind, sha256 FROM artifacts WHERE application_id = %s", (app["id"],))}
        assert recorded["resume_pdf"] == docs["resume_pdf"]["sha256"]
        assert recorded["cover_letter_pdf"] == docs["cover_letter_pdf"]["sha256"]
        letter = (root / docs["cover_letter_txt"]["path"]).read_text()
        job = db.one("SELECT company, title FROM jobs WHERE id = %s", (app["job_id"],))
        assert job["company"] in letter and job["title"] in letter
    # The letter names the skills the job asks for that the candidate has (vocabulary shared by all agents).
    mainframe = first_run.apps[("suresh_naik", "gh-knockout")]["documents"]
    letter = (root / mainframe["cover_letter_txt"]["path"]).read_text()
    [line] = [ln for ln in letter.splitlines() if ln.startswith("My experience with ")]
    assert set(line.removeprefix("My experience with ").split(" matches")[0].split(", ")) == {"COBOL", "Java", "DB2",
                                                                                              "z/OS"}


def test_a_confident_application_is_submitted_with_a_receipt_and_screenshots(env, handle: PipelineHandle,
                                                                            first_run: Snapshot):
    settings, _ = env
    root = Path(settings.storage_path)
    app = first_run.apps[("ananya_iyer", "gh-backend")]
    assert app["status"] == "submitted" and app["submitted_at"] is not None
    assert first_run.apply_tasks[app["id"]]["status"] == "succeeded"
    receipt = json.loads((root / app["receipt_path"]).read_text())
    assert receipt["outcome"] == "submitted"
    shots = sorted((root / "screenshots" / str(app["id"])).glob("*.png"))
    assert any("confirmation" in p.name for p in shots) and len(shots) >= 3
    assert all(p.stat().st_size > 1000 for p in shots)
    # What reached the employer is the tailored resume Talvix recorded, and the profile's answers.
    [sub] = handle.sandbox.submissions("gh-backend")
    resume = next(f for f in sub["files"] if f["field"] == "job_application[resume]")
    assert resume["sha256"] == app["documents"]["resume_pdf"]["sha256"]
    assert sub["answers"]["What is your notice period?"] == "30 days"
    assert sub["answers"]["Email"] == "ananya.iyer@example.in"


def test_the_sandbox_received_exactly_one_submission_per_submitted_application(handle: PipelineHandle,
                                                                               first_run: Snapshot):
    submitted = [pair for pair, row in first_run.apps.items() if row["status"] == "submitted"]
    assert submitted == [("ananya_iyer", "gh-backend")]
    assert first_run.submissions == {"gh-backend": 1}
    assert first_run.summary.submitted == 1


def test_an_always_policy_application_waits_for_approval_and_is_not_sent(first_run: Snapshot):
    app = first_run.apps[("rohan_deshpande", "ghr-frontend")]
    task = first_run.apply_tasks[app["id"]]
    assert app["status"] == "awaiting_approval" and task["status"] == "awaiting_approval"
    assert app["submit_marker_at"] is None
    labels = {f["label"] for f in task["result"]["answer_sheet"]["fields"]}
    assert "What is your notice period?" in labels and task["result"]["screenshots"]
    assert "ghr-frontend" not in first_run.submissions
    assert first_run.summary.awaiting_approval == 1


def test_approving_it_submits_it_exactly_once(handle: PipelineHandle, first_run: Snapshot, approved_run: Snapshot):
    app = approved_run.apps[("rohan_deshpande", "ghr-frontend")]
    assert app["status"] == "submitted"
    assert approved_run.apply_tasks[app["id"]]["status"] == "succeeded"
    assert approved_run.submissions == {"gh-backend": 1, "ghr-frontend": 1}
    [sub] = handle.sandbox.submissions("ghr-frontend")
    assert sub["answers"]["What is your notice period?"] == "60 days"
    # Running the pipeline again sends nothing twice.
    again = handle.run_until_done(timeout_s=RUN_TIMEOUT_S)
    assert len(handle.sandbox.submissions()) == 2 and again.submitted == 2


def test_the_knock_out_job_goes_to_a_person_naming_the_question(env: tuple[Settings, Database], first_run: Snapshot):
    from core.crypto import is_sealed, load_cipher, open_sealed

    app = first_run.apps[("suresh_naik", "gh-knockout")]
    task = first_run.apply_tasks[app["id"]]
    assert app["status"] == "needs_human" and task["status"] == "needs_human"
    assert CLEARANCE in task["last_error"]
    assert task["result"]["unanswered"] == [CLEARANCE]
    fields = task["result"]["answer_sheet"]["fields"]
    assert all(is_sealed(f["value"]) for f in fields if f["value"] not in (None, "", []))  # personal data at rest
    fields = open_sealed(load_cipher(env[0]), fields)
    cobol = next(f for f in fields if f["label"] == "Years of experience with COBOL")
    assert cobol["value"] == "14" and cobol["source"] == "skills_years.COBOL"
    assert "gh-knockout" not in first_run.submissions and app["submit_marker_at"] is None
    assert first_run.summary.needs_human == 1


def test_answering_the_knock_out_question_and_approving_submits_it_once(handle: PipelineHandle,
                                                                        knock_out_answered: Snapshot):
    app = knock_out_answered.apps[("suresh_naik", "gh-knockout")]
    assert app["status"] == "submitted"
    [sub] = handle.sandbox.submissions("gh-knockout")
    assert sub["answers"][CLEARANCE] == "No, I do not hold a security clearance."
    assert sub["answers"]["Years of experience with COBOL"] == "14"
    answer = next(f for f in app["answer_sheet"]["fields"] if f["label"] == CLEARANCE)
    assert answer["source"] == "operator"
    assert knock_out_answered.submissions == {"gh-backend": 1, "ghr-frontend": 1, "gh-knockout": 1}
