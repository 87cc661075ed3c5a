"""A partial or malformed board answer is an error that closes nothing (issue 11: bad input loses nothing)."""

from __future__ import annotations

import json

import pytest

from tests.support.board_server import BoardServer, greenhouse_job


@pytest.fixture
def board():
    with BoardServer() as server:
        server.json("/v1/boards/acme/jobs", {"jobs": [
            greenhouse_job(101, "Backend Engineer", "<p>Python</p>", "Remote"),
            greenhouse_job(102, "Data Analyst", "<p>SQL</p>", "Mumbai, India"),
        ]})
        yield server


def _discover(run_talvix, board, *extra):
    return run_talvix("discover", "--source", "greenhouse:acme", "--base-url", board.url, *extra)


def _state(db):
    return db.execute("SELECT canonical_key, status, updated_at FROM jobs ORDER BY id")


@pytest.mark.parametrize("broken", [
    {"id": 102},                          # no title
    {"title": "Data Analyst"},            # no id
    "not an object",
    {"id": 103, "title": "QA", "location": "not an object"},  # a field of the wrong shape
])
def test_malformed_entry_is_an_error_and_every_job_stays_open(run_talvix, board, db, broken):
    assert _discover(run_talvix, board).returncode == 0
    before = _state(db)
    assert [r["status"] for r in before] == ["open", "open"]
    board.json("/v1/boards/acme/jobs", {"jobs": [greenhouse_job(101, "Backend Engineer", "<p>Python</p>"), broken]})
    out = _discover(run_talvix, board, "--json")
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert "greenhouse board 'acme'" in lines[0] and "entry 2" in lines[0] and "stay open" in lines[0]
    assert _state(db) == before


def test_a_whole_answer_still_closes_what_it_no_longer_lists(run_talvix, board, db):
    assert _discover(run_talvix, board).returncode == 0
    board.json("/v1/boards/acme/jobs", {"jobs": [greenhouse_job(101, "Backend Engineer", "<p>Python</p>")]})
    out = _discover(run_talvix, board, "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["closed"] == 1
