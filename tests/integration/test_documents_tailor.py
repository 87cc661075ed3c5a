"""tailor: a per-application resume from the candidate's own bullets and skills, ordered for the job."""

from __future__ import annotations

from core import queue
from core.documents.fabrication import document_text
from core.models import NewTask
from runners.runner import run_until_idle
from tests.support.doc_setup import make_application


def run_tailor(settings, db, aid: int, link: bool = True):
    task, _ = queue.enqueue(db, NewTask(agent="tailor", payload={"application_id": aid},
                                        application_id=aid if link else None))
    run_until_idle(settings, db, agents=["tailor"], timeout_s=90)
    return queue.get_task(db, task.id)


def test_tailor_writes_docx_pdf_and_diff_and_records_them(settings, db, tmp_path) -> None:
    aid, cid, jid = make_application(settings, db, tmp_path)
    task = run_tailor(settings, db, aid)
    assert task.status == "succeeded", task.last_error
    app = db.one("SELECT * FROM applications WHERE id = %s", (aid,))
    assert app["status"] == "preparing"
    docs = app["documents"]
    assert set(docs) == {"resume_docx", "resume_pdf", "resume_diff"}
    for _kind, entry in docs.items():
        assert entry["path"].startswith(f"tailored/{aid}/")
        assert (settings.storage_path / entry["path"]).is_file()
    arts = db.execute("SELECT kind, sha256 FROM artifacts WHERE application_id = %s ORDER BY kind", (aid,))
    assert {a["kind"]: a["sha256"] for a in arts} == {k: v["sha256"] for k, v in docs.items()}
    follow = db.one("SELECT * FROM tasks WHERE agent = 'cover_letter'")
    assert follow["idempotency_key"] == f"cover_letter:{aid}" and follow["payload"] == {"application_id": aid}


def test_required_skills_and_their_bullets_come_first(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path)
    task = run_tailor(settings, db, aid)
    assert task.result["skills_from"] == "description"  # jobs.parsed is NULL: skills read from the description
    text = document_text(settings.storage_path / task.result["documents"]["resume_docx"]["path"])
    skills_line = text.split("Skills", 1)[1].strip().splitlines()[0]
    skills = [s.strip() for s in skills_line.split(",")]
    # Required (Go, Python, PostgreSQL, Kubernetes) before nice-to-have (Django) before the rest (AWS...).
    assert skills[:4] == ["Go", "Python", "PostgreSQL", "Kubernetes"]
    assert skills.index("Django") < skills.index("AWS")
    # Flipkart's Django bullet (nice-to-have skill) stays; the mentoring bullet ranks after it.
    assert text.index("Developed REST APIs in Django") < text.index("Mentored 4 engineers")
    assert task.result["gaps"] == ["Kafka", "Terraform"]


def test_parsed_job_skills_are_used_when_present(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path,
                                 parsed={"required_skills": ["Java"], "nice_to_have_skills": ["docker"]})
    task = run_tailor(settings, db, aid)
    assert task.result["skills_from"] == "parsed"
    assert task.result["matched_required"] == ["Java"] and task.result["matched_nice"] == ["Docker"]
    pdf_text = document_text(settings.storage_path / task.result["documents"]["resume_pdf"]["path"])
    assert "Java" in pdf_text.split("Experience")[0]


def test_diff_shows_what_changed_against_the_base_resume(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path)
    task = run_tailor(settings, db, aid)
    diff = (settings.storage_path / task.result["documents"]["resume_diff"]["path"]).read_text()
    assert diff.startswith("--- base resume\n+++ tailored resume\n")
    assert any(line.startswith("+") and "Relevant skills for this role" in line for line in diff.splitlines())


def test_every_fact_in_the_tailored_resume_is_the_candidates(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path)
    task = run_tailor(settings, db, aid)
    text = document_text(settings.storage_path / task.result["documents"]["resume_pdf"]["path"])
    for invented in ("Kafka", "Terraform"):  # the job wants them; the candidate does not have them
        assert invented not in text
    for real in ("Razorpay", "Flipkart", "Infosys Ltd", "IIT Madras", "Jan 2021", "40%"):
        assert real in text


def test_submitted_application_is_not_retailored(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path, status="submitted")
    task = run_tailor(settings, db, aid)
    assert task.status == "dead" and "submitted" in task.last_error
    assert db.one("SELECT documents FROM applications WHERE id = %s", (aid,))["documents"] == {}


def test_missing_application_fails_permanently(settings, db) -> None:
    task = run_tailor(settings, db, 424242, link=False)
    assert task.status == "dead" and "424242" in task.last_error
