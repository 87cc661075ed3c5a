"""``talvix pipeline-demo``: the headless smoke test of a build, run as an operator would run it."""

from __future__ import annotations

import json


def test_pipeline_demo_runs_to_completion_and_prints_a_json_summary(run_talvix, db):
    out = run_talvix("pipeline-demo", "--exit-when-done", "--json", "--candidates", "1", timeout=240)
    assert out.returncode == 0, out.stderr
    [line] = out.stdout.splitlines()  # with --json, stdout holds only the summary
    summary = json.loads(line)
    assert summary["jobs_discovered"] == 15 and len(summary["jobs_by_source"]) == 6
    assert summary["submitted"] == 1 and summary["awaiting_approval"] == 0 and summary["needs_human"] == 0
    assert summary["dead"] == [] and summary["timed_out"] is False
    assert summary["tasks"]["apply"] == {"succeeded": 1}
    # Progress lines went to stderr as the counts changed, ending with the submitted application.
    progress = [ln for ln in out.stderr.splitlines() if ln.startswith("[")]
    assert len(progress) >= 3 and "apply succeeded=1" in progress[-1]
    assert "candidate 1: Ananya Iyer (policy when_uncertain)" in out.stderr
    row = db.one("SELECT a.status, j.title FROM applications a JOIN jobs j ON j.id = a.job_id "
                 "WHERE a.status = 'submitted'")
    assert row == {"status": "submitted", "title": "Senior Backend Engineer (Python)"}


def test_pipeline_demo_prints_a_readable_summary_without_json(run_talvix):
    out = run_talvix("pipeline-demo", "--exit-when-done", "--candidates", "0", timeout=120)
    assert out.returncode == 0, out.stderr
    assert "sandbox job board: http://127.0.0.1:" in out.stdout
    assert "jobs discovered       15" in out.stdout and "submitted              0" in out.stdout


def test_asking_for_more_demo_candidates_than_exist_is_a_one_line_error(run_talvix, db):
    out = run_talvix("pipeline-demo", "--exit-when-done", "--candidates", "9")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == ["talvix: error: there are only 3 demo candidates; ask for at most 3"]
    assert db.one("SELECT count(*) AS n FROM candidates")["n"] == 0
    assert db.one("SELECT count(*) AS n FROM tasks")["n"] == 0


def test_a_bad_port_is_a_one_line_error(run_talvix):
    out = run_talvix("pipeline-demo", "--port", "70000")
    assert out.returncode == 2 and out.stdout == ""  # bad input: exit 2 (docs/hardening.md)
    assert out.stderr.startswith("talvix: error: --port 70000 is not a port number")
