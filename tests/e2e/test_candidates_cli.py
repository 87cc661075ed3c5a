"""``talvix parse-resume``, ``talvix candidates add`` and ``talvix candidates``, run as the real command."""

from __future__ import annotations

import json

from core.candidates.store import candidate_profile
from core.crypto import load_cipher
from tests.support import resume_samples as rs

FLAT_KEYS = ["name", "email", "phone", "location", "links", "summary", "experience", "education", "skills",
             "years_experience"]


def test_parse_resume_json_prints_the_documented_keys(run_talvix, tmp_path) -> None:
    out = run_talvix("parse-resume", str(rs.write_pdf(tmp_path)), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert list(data)[: len(FLAT_KEYS)] == FLAT_KEYS
    assert data["name"] == "Priya Sharma" and data["phone"] == "+919845012345"
    assert data["experience"][0]["employer"] == "Razorpay"


def test_parse_resume_bad_file_is_one_line_error_and_nonzero_exit(run_talvix, tmp_path) -> None:
    out = run_talvix("parse-resume", str(rs.write_image_only_pdf(tmp_path)), "--json")
    assert out.returncode != 0
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "image-only" in lines[0] and "Traceback" not in out.stderr


def test_parse_resume_missing_file(run_talvix, tmp_path) -> None:
    out = run_talvix("parse-resume", str(tmp_path / "nope.pdf"))
    assert out.returncode != 0 and "not found" in out.stderr


def test_candidates_add_stores_resume_encrypts_contact_and_enqueues_score(run_talvix, settings, db, tmp_path) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text('[identity]\nphone = "+91 99999 00000"\n[preferences]\nremote = true\n')
    out = run_talvix("candidates", "add", "--resume", str(rs.write_docx_with_table(tmp_path)), "--profile", str(profile))
    assert out.returncode == 0, out.stderr
    cid = int(out.stdout.strip())
    row = db.one("SELECT * FROM candidates WHERE id = %s", (cid,))
    assert row["full_name"] == "Kavya Reddy"
    assert b"kavya.reddy@example.net" not in bytes(row["email_enc"])
    assert "email" not in row["profile"]["identity"] and "phone" not in row["profile"]["identity"]
    assert (settings.storage_path / row["resume_path"]).read_bytes()[:2] == b"PK"
    prof = candidate_profile(db, load_cipher(settings), cid)
    assert prof["identity"]["phone"] == "+919999900000"  # the profile file wins, stored as E.164
    assert prof["preferences"]["remote"] is True
    score = db.one("SELECT * FROM tasks WHERE agent = 'score' AND candidate_id = %s", (cid,))
    assert score["idempotency_key"] == f"score:candidate:{cid}:{row['resume_sha256']}"
    kinds = {r["kind"] for r in db.execute("SELECT kind FROM artifacts WHERE candidate_id = %s", (cid,))}
    assert kinds == {"resume", "parsed_resume"}


def test_adding_the_same_person_twice_updates_one_candidate(run_talvix, db, tmp_path) -> None:
    first = run_talvix("candidates", "add", "--resume", str(rs.write_text(tmp_path)))
    second = run_talvix("candidates", "add", "--resume", str(rs.write_pdf(tmp_path)), "--json")
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["id"] == int(first.stdout) and json.loads(second.stdout)["created"] is False
    assert db.one("SELECT count(*) AS n FROM candidates")["n"] == 1


def test_candidates_add_bad_resume_changes_nothing(run_talvix, db, tmp_path) -> None:
    out = run_talvix("candidates", "add", "--resume", str(rs.write_encrypted_pdf(tmp_path)))
    assert out.returncode != 0 and "password-protected" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert db.one("SELECT count(*) AS n FROM candidates")["n"] == 0
    assert db.one("SELECT count(*) AS n FROM tasks")["n"] == 0


def test_candidates_add_bad_profile_file_is_a_clear_error(run_talvix, db, tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[work]\nnotice_period_days = -5\n")
    out = run_talvix("candidates", "add", "--resume", str(rs.write_text(tmp_path)), "--profile", str(bad))
    assert out.returncode != 0 and "notice_period_days" in out.stderr
    assert db.one("SELECT count(*) AS n FROM candidates")["n"] == 0


def test_candidates_list_json_and_table(run_talvix, tmp_path) -> None:
    assert run_talvix("candidates", "add", "--resume", str(rs.write_text(tmp_path))).returncode == 0
    out = run_talvix("candidates", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 1 and rows[0]["name"] == "Priya Sharma" and "Python" in rows[0]["skills"]
    assert "email" not in rows[0]
    table = run_talvix("candidates", env={"COLUMNS": "160"})
    assert table.returncode == 0 and "Priya Sharma" in table.stdout


def test_resume_without_email_needs_a_profile_file(run_talvix, db, tmp_path) -> None:
    bare = tmp_path / "bare.txt"
    bare.write_text("Ravi Kumar\n\nSkills\nPython, SQL\n")
    out = run_talvix("candidates", "add", "--resume", str(bare))
    assert out.returncode != 0 and "no email address found" in out.stderr and "--profile" in out.stderr
    profile = tmp_path / "ravi.toml"
    profile.write_text('[identity]\nemail = "ravi@example.com"\n')
    ok = run_talvix("candidates", "add", "--resume", str(bare), "--profile", str(profile))
    assert ok.returncode == 0, ok.stderr
    assert db.one("SELECT full_name FROM candidates")["full_name"] == "Ravi Kumar"


def test_parse_resume_table_shows_fields_literally(run_talvix, tmp_path) -> None:
    resume = tmp_path / "markup.txt"
    resume.write_text("Asha Rao\nasha@example.com | Location: [red]Pune[/red]\x1b[2J\n\nSkills\nPython\n")
    out = run_talvix("parse-resume", str(resume), env={"COLUMNS": "160"})
    assert out.returncode == 0, out.stderr
    assert "[red]Pune[/red]" in out.stdout  # shown as written, not as Rich markup
    assert "\x1b" not in out.stdout and "asha@example.com" in out.stdout
