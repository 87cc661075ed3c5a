"""The index of the open jobs kept between scorings (core.scoring.run.OPEN_JOBS): reused while the open jobs
are as they were, built again after any change that matters to a score, and never changed by a scoring."""

from __future__ import annotations

import pytest
from psycopg.types.json import Jsonb

from core.jobs import store as jobs_store
from core.scoring import run as scoring_run
from tests.support.common import settings_with

SKILLS = ["Python", "Django", "PostgreSQL", "AWS"]


def _job(n: int, title: str = "Backend Engineer", skills: list[str] = SKILLS, **extra) -> dict:
    desc = "Requirements:\n" + "\n".join(f"- {s}" for s in skills) + "\n- 3+ years of experience"
    return {"canonical_key": f"greenhouse:acme:{n}", "source": "greenhouse:acme", "company": "Acme", "title": title,
            "location": "Bengaluru, India", "workplace": "hybrid", "description": desc,
            "url": f"https://boards.example/acme/jobs/{n}", **extra}


def _candidate(db, skills: list[str], years: int = 4) -> int:
    profile = {"summary": "Backend engineer building APIs", "skills": skills,
               "work": {"years_experience": years}, "identity": {"location": "Bengaluru, India"},
               "preferences": {"remote": True}}
    return int(db.one("INSERT INTO candidates (full_name, profile, location) VALUES ('', %s, 'Bengaluru, India') "
                      "RETURNING id", (Jsonb(profile),))["id"])


def _upsert(db, *jobs: dict) -> list[int]:
    with db.transaction() as conn:
        return [jobs_store.upsert_job(conn, j)[0] for j in jobs]


def _scores(db, settings, cid: int) -> tuple[int, dict[int, float]]:
    run = scoring_run.score_candidate(db, settings, cid, keep_skips=100)
    return run.pairs, {m.job_id: m.score for m in run.matches}


@pytest.fixture
def kept(settings):
    scoring_run.OPEN_JOBS.clear()
    yield settings
    scoring_run.OPEN_JOBS.clear()


def test_the_index_is_reused_until_an_open_job_changes_and_every_change_is_seen(db, kept):
    settings = kept
    ids = _upsert(db, _job(1), _job(2, "Data Engineer", ["Spark", "Airflow"]), _job(3, "Frontend Developer", ["React"]))
    cid = _candidate(db, ["Python", "Django", "PostgreSQL", "AWS"])
    builds = scoring_run.OPEN_JOBS.builds

    pairs, first = _scores(db, settings, cid)
    assert pairs == 3 and scoring_run.OPEN_JOBS.builds == builds + 1
    assert _scores(db, settings, cid) == (pairs, first)
    assert scoring_run.OPEN_JOBS.builds == builds + 1  # nothing changed: the kept index served it

    # Discovery seeing the same jobs again (updated_at moves, nothing scoring reads does): still kept.
    _upsert(db, _job(1), _job(2, "Data Engineer", ["Spark", "Airflow"]), _job(3, "Frontend Developer", ["React"]))
    assert _scores(db, settings, cid) == (pairs, first)
    assert scoring_run.OPEN_JOBS.builds == builds + 1

    # A new job is scored.
    new_id = _upsert(db, _job(4, "Python Developer"))[0]
    pairs, scores = _scores(db, settings, cid)
    assert pairs == 4 and new_id in scores and scoring_run.OPEN_JOBS.builds == builds + 2

    # A job whose description changed (jd_parse's facts are reset, it is parsed on the fly) is scored anew.
    _upsert(db, _job(2, "Data Engineer", ["Python", "Django", "PostgreSQL", "AWS"]))
    pairs, scores = _scores(db, settings, cid)
    assert scores[ids[1]] > first[ids[1]]

    # jd_parse's facts saved for a job count too.
    row = db.one("SELECT description_sha256 FROM jobs WHERE id = %s", (ids[2],))
    with db.transaction() as conn:
        assert jobs_store.save_parsed(conn, ids[2], row["description_sha256"],
                                      {"required_skills": SKILLS, "nice_skills": [], "years_min": 3,
                                       "location": "Bengaluru, India", "workplace": "hybrid"})
    before = scores[ids[2]]
    pairs, scores = _scores(db, settings, cid)
    assert scores[ids[2]] > before

    # A closed job is no longer scored.
    with db.transaction() as conn:
        assert jobs_store.close_missing_jobs(conn, "greenhouse:acme", [f"greenhouse:acme:{n}" for n in (2, 3, 4)]) == 1
    pairs, scores = _scores(db, settings, cid)
    assert pairs == 3 and ids[0] not in scores

    # All closed: nothing to score, no index kept.
    with db.transaction() as conn:
        jobs_store.close_missing_jobs(conn, "greenhouse:acme", [])
    assert _scores(db, settings, cid) == (0, {})


def test_scoring_a_candidate_leaves_the_kept_index_as_it_was_built(db, kept):
    settings = kept
    _upsert(db, _job(1), _job(2, "Data Engineer", ["Spark", "Airflow"]))
    plain = _candidate(db, ["Python"])
    odd = _candidate(db, ["Erlang", "COBOL", "Fortran"])
    _scores(db, settings, plain)
    vocab = len(scoring_run.OPEN_JOBS.get(db).skills)
    builds = scoring_run.OPEN_JOBS.builds
    _scores(db, settings, odd)  # skills no job names get columns in the scoring's own vocabulary
    assert len(scoring_run.OPEN_JOBS.get(db).skills) == vocab
    assert scoring_run.OPEN_JOBS.builds == builds


def test_without_the_kept_index_the_scores_are_the_same_and_nothing_is_kept(db, kept):
    settings = kept
    _upsert(db, _job(1), _job(2, "Data Engineer", ["Spark", "Airflow"]), _job(3, "Python Developer", ["Python"]))
    cid = _candidate(db, ["Python", "Django"])
    with_kept = _scores(db, settings, cid)
    builds = scoring_run.OPEN_JOBS.builds
    plain = settings_with(settings, score={"keep_job_index": False})
    assert _scores(db, plain, cid) == with_kept
    assert scoring_run.OPEN_JOBS.builds == builds


def test_open_jobs_are_read_in_chunks_with_the_source_answer_only_where_unparsed(db):
    _upsert(db, *(_job(n, raw={"n": n}) for n in range(1, 8)))
    with db.transaction() as conn:
        jobs_store.save_parsed(conn, 1, db.one("SELECT description_sha256 FROM jobs WHERE id = 1")["description_sha256"],
                               {"required_skills": ["Python"]})
    with jobs_store.open_jobs_to_score(db, chunk=3) as (fingerprint, rows):
        got = list(rows)
    assert fingerprint == jobs_store.open_jobs_fingerprint(db) and fingerprint[0] == 7
    assert [r["id"] for r in got] == list(range(1, 8))
    assert got[0]["raw"] is None and got[1]["raw"] == {"n": 2}


def test_the_fingerprint_and_the_jobs_an_index_is_built_from_are_one_snapshot(db):
    """A change committed between reading the fingerprint and reading the jobs would otherwise put an index of
    the new jobs under the old fingerprint: undone later (a job closed, then reopened as it was), the stale
    index would be taken for current."""
    ids = _upsert(db, *(_job(n) for n in range(1, 5)))
    with jobs_store.open_jobs_to_score(db, chunk=1) as (fingerprint, rows):
        with db.transaction() as conn:  # another connection: committed before a row is read
            jobs_store.close_missing_jobs(conn, "greenhouse:acme", [f"greenhouse:acme:{n}" for n in (1, 2, 3)])
            jobs_store.upsert_job(conn, _job(9, "Platform Engineer"))
        got = [r["id"] for r in rows]
    assert got == ids and fingerprint[0] == 4  # the jobs as they were when the fingerprint was read
    assert jobs_store.open_jobs_fingerprint(db) != fingerprint


def test_saving_matches_creates_each_application_once_with_its_event_and_tailors_only_what_waits(db, kept):
    from core.applications import create_application
    from core.scoring.run import Match, save_matches

    jids = _upsert(db, *(_job(n) for n in range(1, 6)))
    cid = _candidate(db, SKILLS)
    with db.transaction() as conn:  # already there: one still waiting for its tailoring, one tailoring
        waiting, _ = create_application(conn, cid, jids[0], status="preparing", decision="apply", score=80)
        tailoring, _ = create_application(conn, cid, jids[1], status="ready", decision="apply", score=80)
    matches = [Match(cid, jids[0], 90.0, "apply", {"score": 90.0}), Match(cid, jids[1], 88.0, "apply", {}),
               Match(cid, jids[2], 85.5, "apply", {"score": 85.5}), Match(cid, jids[3], 60.0, "review", {}),
               Match(cid, jids[4], 20.0, "skip", {})]
    with db.transaction() as conn:
        created, follow = save_matches(conn, matches)
    assert created == 2
    apps = {r["job_id"]: r for r in db.execute("SELECT * FROM applications WHERE candidate_id = %s", (cid,))}
    assert set(apps) == set(jids[:4])  # a skip creates nothing
    assert apps[jids[2]]["status"] == "preparing" and apps[jids[2]]["score_breakdown"] == {"score": 85.5}
    assert apps[jids[3]]["status"] == "matched" and apps[jids[3]]["decision"] == "review"
    assert apps[jids[0]]["score"] == 80 and apps[jids[1]]["status"] == "ready"  # existing ones unchanged
    assert sorted(t.payload["application_id"] for t in follow) == sorted([waiting, apps[jids[2]]["id"]])
    events = db.execute("SELECT application_id, message, data FROM events WHERE agent = 'score' ORDER BY id")
    assert [(e["application_id"], e["message"], e["data"]) for e in events] == [
        (apps[jids[2]]["id"], f"matched candidate {cid} to job {jids[2]}: 86 (apply)",
         {"score": 85.5, "decision": "apply"}),
        (apps[jids[3]]["id"], f"matched candidate {cid} to job {jids[3]}: 60 (review)",
         {"score": 60.0, "decision": "review"})]
    with db.transaction() as conn:  # saved again: nothing new, no event
        assert save_matches(conn, matches)[0] == 0
    assert db.one("SELECT count(*) AS n FROM events WHERE agent = 'score'")["n"] == 2
