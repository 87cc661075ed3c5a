"""``talvix outcome``, ``talvix calibrate`` and ``talvix followups`` as an operator runs them (subprocess)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from core.crypto import load_cipher
from core.outcomes import synthetic
from tests.support.outcomes import add_application, add_candidate, add_job, seed_outcomes


def test_outcome_records_and_refuses_in_one_line(settings, db, run_talvix):
    cipher = load_cipher(settings)
    with db.transaction() as conn:
        cid = add_candidate(conn, cipher, "Priya Sharma", "priya.sharma@example.in")
        jid = add_job(conn, "t:1", "Acme Payments", "Backend Engineer", "https://acme.example/jobs/1")
        aid = add_application(conn, cid, jid, submitted_at=datetime.now(UTC) - timedelta(days=3))
    ok = run_talvix("outcome", str(aid), "interview", "--note", "phone screen booked")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[0].startswith(f"application {aid}: interview recorded (outcome ")
    assert "queued interview_prep (task " in ok.stdout
    again = run_talvix("outcome", str(aid), "interview", "--json")
    assert json.loads(again.stdout)["created"] is False
    bad = run_talvix("outcome", str(aid), "hired")
    assert bad.returncode == 2 and "invalid choice: 'hired'" in bad.stderr
    missing = run_talvix("outcome", "424242", "rejected")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "talvix: error: no application with id 424242"


def test_calibrate_refuses_below_the_minimum_then_ships_lists_and_rolls_back(settings, db, run_talvix):
    cipher = load_cipher(settings)
    few = run_talvix("calibrate")
    assert few.returncode == 3
    assert few.stderr.strip().startswith("talvix: error: 0 confirmed outcome(s), 50 needed before calibrating")
    seed_outcomes(db, cipher, synthetic.signal(600, seed=21))
    done = run_talvix("calibrate")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "calibration v1: shipped (calibration/v0001.json)"
    assert lines[1] == "held-back outcomes: 180 of 600 (" + lines[1].split("(")[1]
    assert lines[-1].startswith("ships: held-back AUC")
    assert any("[" in line and "]" in line for line in lines), "the reliability table has Wilson intervals"
    listed = json.loads(run_talvix("calibrate", "--list", "--json").stdout)
    assert [(r["version"], r["status"], r["active"]) for r in listed] == [(1, "shipped", True)]
    back = run_talvix("calibrate", "--rollback")
    assert back.returncode == 0 and back.stdout.strip() == "calibration rolled back from v1 to the raw fit"
    assert (settings.storage_path / "calibration" / "v0001.json").is_file()


def test_followups_lists_what_was_drafted(settings, db, run_talvix):
    empty = run_talvix("followups")
    assert empty.returncode == 0 and empty.stdout.strip() == "no follow-ups"
