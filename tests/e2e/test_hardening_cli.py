"""The `talvix` command refuses what bench/hostile.py found it accepting (issue 11), and keeps personal
data out of its output and off the disk. Real `talvix` subprocesses against a test database."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

from core import queue
from core.apply_engine.answers import Answer, AnswerSheet
from core.crypto import load_cipher, seal_answer_sheets
from core.queue import NewTask
from core.storage import MAGIC

EMAIL = "asha.rao@example.com"
PHONE = "+919845012345"
RESUME = (f"ASHA RAO\nBengaluru | {EMAIL} | +91 98450 12345\n\nExperience\n"
          "Software Engineer, Acme, Bengaluru   Jan 2020 - Present\n- Built Python services\n\nSkills\nPython, Postgres\n")


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_a_folder_or_a_device_given_as_a_resume_is_named_as_such(run_talvix, tmp_path):
    folder = tmp_path / "cvs"
    folder.mkdir()
    done = run_talvix("candidates", "add", "--resume", str(folder))
    assert done.returncode == 2 and "is a folder, not a file" in _one_line(done)
    done = run_talvix("candidates", "add", "--resume", "/dev/zero")
    assert done.returncode == 2 and "not a regular file (a device, pipe or socket)" in _one_line(done)
    done = run_talvix("candidates", "add", "--resume", str(tmp_path / "missing.pdf"))
    assert done.returncode == 1 and "resume file not found" in _one_line(done)
    done = run_talvix("enqueue", "ping", "--from-file", "/dev/zero")
    assert done.returncode == 2 and "not a regular file" in _one_line(done)


def test_apply_refuses_a_folder_resume_and_a_file_as_screenshots_before_chromium(run_talvix, tmp_path):
    folder = tmp_path / "cvs"
    folder.mkdir()
    resume = tmp_path / "cv.txt"
    resume.write_text(RESUME)
    profile = tmp_path / "p.toml"
    profile.write_text(f'[identity]\nemail = "{EMAIL}"\n')
    done = run_talvix("apply", "--url", "http://127.0.0.1:9/", "--resume", str(folder), "--profile", str(profile), "--dry-run")
    assert done.returncode == 2 and "is a folder, not a file" in _one_line(done)
    done = run_talvix("apply", "--url", "http://127.0.0.1:9/", "--resume", str(resume), "--profile", str(profile),
                      "--dry-run", "--screenshots", str(resume))
    assert done.returncode == 2 and "--screenshots" in _one_line(done) and "is a file" in done.stderr


def test_retry_and_cancel_of_ids_that_change_nothing_are_errors(run_talvix):
    for verb in ("retry", "cancel"):
        done = run_talvix(verb, "987654")
        assert done.returncode == 1 and "no task" in _one_line(done) and "987654" in done.stderr
        done = run_talvix(verb, "-1")
        assert done.returncode == 2 and "is not an id" in _one_line(done)
        done = run_talvix(verb, "99999999999999999999")
        assert done.returncode == 2 and "is not an id" in _one_line(done)


def test_numeric_options_out_of_range_are_refused(run_talvix):
    for args, option in ((("candidates", "--limit", "0"), "--limit"), (("candidates", "--limit", "-1"), "--limit"),
                         (("candidates", "--after", "99999999999999999999"), "--after"),
                         (("jobs", "--limit", "-1"), "--limit"),
                         (("score", "--candidate", "1", "--top", "0"), "--top"),
                         (("runner", "--concurrency", "100000", "--exit-when-idle"), "--concurrency"),
                         (("demo", "--port", "-1", "--seed-only"), "--port")):
        done = run_talvix(*args, timeout=60)
        assert done.returncode == 2, (args, done.stdout[-300:], done.stderr)
        assert _one_line(done).startswith(f"talvix: error: {option}"), (args, done.stderr)


def _parked_apply_task(db, settings) -> int:
    db.execute("INSERT INTO candidates (id, full_name) VALUES (1, 'Asha Rao')")
    db.execute("INSERT INTO jobs (id, canonical_key, source) VALUES (1, 'sandbox:x:1', 'sandbox')")
    db.execute("INSERT INTO applications (id, candidate_id, job_id, status) VALUES (1, 1, 1, 'awaiting_approval')")
    queue.enqueue(db, NewTask("apply", {"application_id": 1}, application_id=1))
    [task] = queue.claim(db, ["apply"], 1, "r", 30)
    sheet = AnswerSheet([Answer("Email", "email", "text", True, EMAIL, "identity.email", 1.0),
                         Answer("Phone", "phone", "text", True, PHONE, "identity.phone", 1.0)])
    queue.park(db, task, "awaiting_approval", "policy: always ask",
               result=seal_answer_sheets(load_cipher(settings), {"answer_sheet": {"fields": sheet.fields()}}))
    return task.id


def test_tasks_json_masks_personal_values_unless_revealed(run_talvix, db, settings):
    task_id = _parked_apply_task(db, settings)
    masked = run_talvix("tasks", "--json")
    assert masked.returncode == 0, masked.stderr
    assert EMAIL not in masked.stdout and PHONE not in masked.stdout and "$enc" not in masked.stdout
    [row] = [t for t in json.loads(masked.stdout) if t["id"] == task_id]
    assert [f["value"] for f in row["result"]["answer_sheet"]["fields"]] == ["•••", "•••"]
    revealed = run_talvix("tasks", "--json", "--reveal")
    assert revealed.returncode == 0 and EMAIL in revealed.stdout and PHONE in revealed.stdout


def test_approve_edits_from_the_cli_are_sealed(run_talvix, db, settings):
    task_id = _parked_apply_task(db, settings)
    done = run_talvix("approve", str(task_id), "--edits", '{"Phone": "+91 90000 11111"}')
    assert done.returncode == 0, done.stderr
    raw = db.one("SELECT payload::text AS p FROM tasks WHERE id = %s", (task_id,))["p"]
    assert "90000" not in raw and "$enc" in raw


def test_db_status_reports_the_role_owner_and_rls(run_talvix):
    done = run_talvix("db", "status", "--json")
    assert done.returncode == 0, done.stderr
    security = json.loads(done.stdout)["security"]
    assert security["superuser"] is True and security["locked"] is True and security["tables_not_owned"] == []
    text = run_talvix("db", "status")
    assert "row-level security on every table with no policies" in text.stdout
    assert "warning: the role" in text.stdout and "is a superuser" in text.stdout


def test_candidates_add_with_encrypt_files_leaves_no_plaintext_on_disk(run_talvix, settings, tmp_path):
    resume = tmp_path / "cv.txt"
    resume.write_text(f"ASHA RAO\nBengaluru | {EMAIL} | +91 98450 12345\n\nExperience\n"
                      "Software Engineer, Acme, Bengaluru   Jan 2020 - Present\n- Built Python services\n\n"
                      "Skills\nPython, Postgres\n")
    done = run_talvix("candidates", "add", "--resume", str(resume), "--json", env={"TALVIX_ENCRYPT_FILES": "1"})
    assert done.returncode == 0, done.stderr
    files = [p for p in settings.storage_path.rglob("*") if p.is_file()]
    assert len(files) >= 2  # the original and the parsed JSON
    for p in files:
        raw = p.read_bytes()
        assert raw.startswith(MAGIC), p
        assert EMAIL.encode() not in raw and b"98450" not in raw, p
        assert _mode(p) == 0o600
    # read back transparently: adding the same resume again finds the same candidate
    again = run_talvix("candidates", "add", "--resume", str(resume), "--json", env={"TALVIX_ENCRYPT_FILES": "1"})
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["id"] == json.loads(done.stdout)["id"]
    dump = subprocess.run(["grep", "-r", "-l", EMAIL, str(settings.storage_path)], capture_output=True, text=True)
    assert dump.stdout == ""


def test_a_host_with_another_key_is_refused_before_it_writes(run_talvix, settings, tmp_path):
    from core.crypto import generate_key

    first = run_talvix("status")
    assert first.returncode == 0, first.stderr
    assert run_talvix("status").returncode == 0  # the same key again: fine
    other = run_talvix("candidates", env={"TALVIX_ENCRYPTION_KEY": generate_key()})
    assert other.returncode == 2
    assert other.stderr.count("\n") == 1 and "written with another key" in other.stderr


