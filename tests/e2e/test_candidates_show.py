"""``talvix candidates show ID``: each field's confidence and the fields a person must confirm, as the real command."""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "resumes" / "files"

#: nothing says which country the number is from: +91 is a guess the operator must confirm
GUESSED = "Ravi Kumar\nravi.kumar@example.com | 98450 12345\n\nSkills\nPython, SQL\n"


def _add(run_talvix, resume: Path, *extra: str) -> int:
    out = run_talvix("candidates", "add", "--resume", str(resume), *extra)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip())


def test_show_json_gives_confidence_and_the_guessed_phone_to_confirm(run_talvix, tmp_path) -> None:
    resume = tmp_path / "ravi.txt"
    resume.write_text(GUESSED)
    cid = _add(run_talvix, resume)
    out = run_talvix("candidates", "show", str(cid), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["id"] == cid and data["phone"] == "+919845012345"
    assert data["confidence"]["phone"] < 0.8 and "phone" in data["to_confirm"]
    assert data["confidence"]["email"] >= 0.9 and "email" not in data["to_confirm"]

    human = run_talvix("candidates", "show", str(cid))
    assert human.returncode == 0, human.stderr
    assert "confirm" in human.stdout and "to confirm before applying: phone" in human.stdout


def test_a_field_the_profile_file_gives_is_no_longer_to_confirm(run_talvix, tmp_path) -> None:
    resume = tmp_path / "ravi.txt"
    resume.write_text(GUESSED)
    profile = tmp_path / "p.toml"
    profile.write_text('[identity]\nphone = "+91 98450 12345"\n')
    cid = _add(run_talvix, resume, "--profile", str(profile))
    data = json.loads(run_talvix("candidates", "show", str(cid), "--json").stdout)
    assert "phone" not in data["to_confirm"]


def test_show_a_corpus_resume_with_indian_terms(run_talvix) -> None:
    cid = _add(run_talvix, next(CORPUS.glob("02-*.pdf")))
    data = json.loads(run_talvix("candidates", "show", str(cid), "--json").stdout)
    assert data["name"] == "Ananya Iyer" and data["location"] == "Bengaluru, Karnataka"
    assert data["work"]["notice_period_days"] == 0 and data["work"]["current_ctc_lpa"] == 10.0
    assert data["to_confirm"] == []


def test_show_an_unknown_candidate_is_one_line_and_nonzero(run_talvix) -> None:
    out = run_talvix("candidates", "show", "999999")
    assert out.returncode != 0 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "999999" in lines[0] and "Traceback" not in out.stderr
