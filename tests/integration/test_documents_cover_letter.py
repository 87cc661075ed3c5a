"""cover_letter and interview_prep: grounded in the candidate's evidence, saved, recorded, and chained."""

from __future__ import annotations

import json

from core import queue
from core.config import DocumentSettings
from core.documents.fabrication import document_text
from core.models import NewTask
from runners.runner import run_until_idle
from tests.support.doc_setup import make_application

PIPELINE = ["tailor", "cover_letter", "interview_prep"]


def run_pipeline(settings, db, aid: int):
    queue.enqueue(db, NewTask(agent="tailor", payload={"application_id": aid}, key=f"tailor:{aid}", application_id=aid))
    run_until_idle(settings, db, agents=PIPELINE, timeout_s=120)
    return {t["agent"]: t for t in db.execute("SELECT * FROM tasks WHERE application_id = %s", (aid,))}


def test_tailor_then_cover_letter_makes_the_application_ready(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path)
    tasks = run_pipeline(settings, db, aid)
    for agent in PIPELINE:
        assert tasks[agent]["status"] == "succeeded", (agent, tasks[agent]["last_error"])
    app = db.one("SELECT * FROM applications WHERE id = %s", (aid,))
    assert app["status"] == "ready"
    docs = app["documents"]
    for kind in ("cover_letter_txt", "cover_letter_docx", "cover_letter_pdf"):
        assert docs[kind]["path"].startswith(f"cover-letters/{aid}/")
        assert (settings.storage_path / docs[kind]["path"]).is_file()
    assert {"resume_pdf", "resume_docx", "resume_diff", "interview_prep"} <= set(docs)
    # apply is enqueued for the next stage with its documented key; interview_prep ran.
    assert tasks["apply"]["idempotency_key"] == f"apply:{aid}" and tasks["apply"]["payload"] == {"application_id": aid}
    assert tasks["apply"]["status"] == "queued" and tasks["apply"]["site"] == "boards.example"
    assert tasks["interview_prep"]["idempotency_key"] == f"interview_prep:{aid}"


def test_cover_letter_quotes_only_the_candidates_matched_evidence(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path, profile_toml="[work]\nnotice_period_days = 30\n")
    run_pipeline(settings, db, aid)
    docs = db.one("SELECT documents FROM applications WHERE id = %s", (aid,))["documents"]
    text = (settings.storage_path / docs["cover_letter_txt"]["path"]).read_text()
    assert text.startswith("Priya Sharma\npriya.sharma@example.com | +919845012345\n")
    assert "Dear Hiring Team at Acme Payments," in text
    assert "Senior Backend Engineer role at Acme Payments" in text
    assert "Senior Software Engineer at Razorpay" in text
    # The strongest evidence: the bullet that names two required skills, with its employer.
    assert "- Led migration of the payment ledger to PostgreSQL, cutting p99 latency by 40% (Razorpay)" in text
    assert "notice period is 30 days" in text
    assert "Kafka" not in text and "Terraform" not in text  # job skills the candidate lacks are never claimed
    pdf = document_text(settings.storage_path / docs["cover_letter_pdf"]["path"])
    assert "Led migration of the payment ledger" in pdf


def test_template_that_sneaks_in_a_fact_fails_the_task_naming_it(settings, db, tmp_path) -> None:
    template = tmp_path / "letter.txt"
    template.write_text("I am applying for the $job_title role at $company.\n\n"
                        "I spent 12 years as a Staff Engineer at Google.\n\n$evidence\n")
    custom = settings.model_copy(update={"documents": DocumentSettings(cover_letter_template=template)})
    aid, _, _ = make_application(settings, db, tmp_path)
    tasks = run_pipeline(custom, db, aid)
    letter = tasks["cover_letter"]
    assert letter["status"] == "dead"  # a PermanentError: no retries
    for fact in ("number '12'", "title 'Staff Engineer'", "employer 'Google'"):
        assert fact in letter["last_error"]
    app = db.one("SELECT status, documents FROM applications WHERE id = %s", (aid,))
    assert app["status"] == "preparing" and "cover_letter_txt" not in app["documents"]
    assert "apply" not in tasks


def test_template_with_only_profile_facts_is_used(settings, db, tmp_path) -> None:
    template = tmp_path / "letter.txt"
    template.write_text("Hello $company,\n\nAs a $current_title with $years years, I fit $job_title.\n\n"
                        "Evidence:\n$evidence\n")
    custom = settings.model_copy(update={"documents": DocumentSettings(cover_letter_template=template)})
    aid, _, _ = make_application(settings, db, tmp_path)
    tasks = run_pipeline(custom, db, aid)
    assert tasks["cover_letter"]["status"] == "succeeded", tasks["cover_letter"]["last_error"]
    assert tasks["cover_letter"]["result"]["source"] == "template"


def test_template_with_unknown_placeholder_is_a_clear_error(settings, db, tmp_path) -> None:
    template = tmp_path / "letter.txt"
    template.write_text("Hi $hiring_manager_name\n")
    custom = settings.model_copy(update={"documents": DocumentSettings(cover_letter_template=template)})
    aid, _, _ = make_application(settings, db, tmp_path)
    tasks = run_pipeline(custom, db, aid)
    assert tasks["cover_letter"]["status"] == "dead"
    assert "unknown placeholder $hiring_manager_name" in tasks["cover_letter"]["last_error"]


def test_interview_prep_covers_skills_gaps_and_company(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path)
    run_pipeline(settings, db, aid)
    docs = db.one("SELECT documents FROM applications WHERE id = %s", (aid,))["documents"]
    md_path = docs["interview_prep"]["path"]
    assert md_path == f"tailored/{aid}/interview_prep.md"
    md = (settings.storage_path / md_path).read_text()
    assert md.startswith("# Interview preparation: Senior Backend Engineer at Acme Payments")
    assert "Walk me through a project where you used PostgreSQL" in md
    assert "Your evidence: Led migration of the payment ledger to PostgreSQL" in md
    assert "The role asks for Kafka, which is not on your resume" in md
    assert "Why do you want to work at Acme Payments?" in md
    assert "Why are you looking to leave Razorpay?" in md
    bank = json.loads((settings.storage_path / f"tailored/{aid}/interview_prep.json").read_text())
    assert bank["gaps"] == ["Kafka", "Terraform"]
    kinds = {r["kind"] for r in db.execute("SELECT kind FROM artifacts WHERE application_id = %s", (aid,))}
    assert {"interview_prep", "interview_prep_json"} <= kinds
