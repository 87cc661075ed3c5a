"""Scoring against the database: load candidates and open jobs, score in blocks, save matches, enqueue follow-ons."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from core import queue
from core.applications import create_applications, ready_to_tailor
from core.candidates import store as candidates_store
from core.jobs import store as jobs_store
from core.jobs.jd import parse_jd
from core.models import NewTask, Task
from core.scoring import fit as scoring

if TYPE_CHECKING:
    from core.config import Settings
    from core.db import Database

IDF_SAMPLE_JOBS = 2_000
CANDIDATE_CHUNK = 2_000


# ------------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------------
#: What the job index is made of (:func:`core.scoring.fit.index_jobs`): each open job is kept with these only.
_INDEXED = ("id", "title", "description", "location", "workplace", "parsed")


def open_jobs(db: Database) -> tuple[tuple[int, int], list[dict[str, Any]]]:
    """The open jobs' fingerprint, and every open job as the index reads it (parsed on the fly where
    jd_parse has not been), oldest first: both as of one snapshot."""
    with jobs_store.open_jobs_to_score(db) as (fingerprint, rows):
        return fingerprint, [{k: row[k] for k in _INDEXED} for row in _with_parsed(rows)]


def _with_parsed(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        if not row.get("parsed"):
            row["parsed"] = parse_jd(row)
        yield row


class OpenJobsIndex:
    """The index of every open job, kept between scorings in this process.

    Scoring one candidate against 100k open jobs spends most of its time reading the jobs and indexing them
    (docs/benchmarks.md); a nightly run scores many candidates against the same jobs. So the index is kept,
    under the fingerprint of what it was made of (:func:`core.jobs.store.open_jobs_fingerprint`), and each
    scoring first reads the fingerprint (an index-only scan, ~10 ms for 100k open jobs): equal,
    the index is reused; changed in any way (a job new, closed, edited or parsed), it is built again. The
    fingerprint an index is kept under is read in the same snapshot as the jobs it is built from, so a
    change made while it is being built (even one undone later) cannot leave a stale index under a current
    fingerprint. One index at a time; threads asking while it is being built wait for it.
    ``[score] keep_job_index = false`` turns this off (each scoring reads and indexes the jobs itself).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fingerprint: tuple[int, int] | None = None
        self._index: scoring.JobIndex | None = None
        #: How many times an index was built (read by tests and the bench).
        self.builds = 0

    def get(self, db: Database) -> scoring.JobIndex | None:
        """An index of the open jobs for one scoring (its own vocabularies), or None when there is none."""
        with self._lock:
            fingerprint = jobs_store.open_jobs_fingerprint(db)
            if fingerprint != self._fingerprint:
                self._index = self._fingerprint = None  # the old index is freed before the new one is built
                fingerprint, jobs = open_jobs(db) if fingerprint[0] else (fingerprint, [])
                self._index = scoring.index_jobs(jobs) if jobs else None
                del jobs  # the rows (~5x the index) are freed, and their pages given back to the OS
                scoring.trim_heap()
                self._fingerprint = fingerprint
                self.builds += 1
            return self._index.for_candidates() if self._index is not None else None

    def clear(self) -> None:
        with self._lock:
            self._index = self._fingerprint = None


#: This process's index of the open jobs (see :class:`OpenJobsIndex`).
OPEN_JOBS = OpenJobsIndex()


def job_with_idf_sample(db: Database, job_id: int) -> list[dict[str, Any]]:
    """The job first, then up to IDF_SAMPLE_JOBS recent open jobs that only lend their term statistics."""
    return list(_with_parsed(jobs_store.job_and_recent_open(db, job_id, IDF_SAMPLE_JOBS)))


# ------------------------------------------------------------------------------------------------
# Scoring
# ------------------------------------------------------------------------------------------------
@dataclass
class Match:
    candidate_id: int
    job_id: int
    score: float
    decision: str
    breakdown: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"candidate_id": self.candidate_id, "job_id": self.job_id, "score": self.score,
                "decision": self.decision, "breakdown": self.breakdown}


@dataclass
class ScoreRun:
    pairs: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {d: 0 for d in scoring.DECISIONS})
    matches: list[Match] = field(default_factory=list)  # apply and review pairs, best first


def _collect(run: ScoreRun, result: scoring.ScoreResult, job_cols: np.ndarray | slice = slice(None),
             keep_skips: int = 0) -> None:
    fit = result.fit[:, job_cols]
    dec = result.decision[:, job_cols]
    cols = np.arange(result.fit.shape[1])[job_cols]
    run.pairs += fit.size
    for i, name in enumerate(scoring.DECISIONS):
        run.counts[name] += int((dec == i).sum())
    rows, cc = np.nonzero(dec > 0)
    picked = list(zip(rows.tolist(), cols[cc].tolist()))
    if keep_skips:
        order = np.argsort(-fit, axis=None)[: keep_skips]
        for flat in order.tolist():
            r, c = divmod(flat, fit.shape[1])
            if dec[r, c] == 0:
                picked.append((r, int(cols[c])))
    for (ci, ji), bd in zip(picked, result.breakdowns(picked)):
        run.matches.append(Match(int(result.candidates.ids[ci]), int(result.jobs.ids[ji]), bd["score"],
                                 bd["decision"], bd))
    run.matches.sort(key=lambda m: (-m.score, m.candidate_id, m.job_id))


def weights_for(db: Database, settings: Settings) -> scoring.Weights:
    """The configured weights, with the shipped calibration in use when there is one (docs/outcomes.md)."""
    from core.outcomes import calibration
    from core.storage import Storage

    weights = scoring.Weights.from_settings(settings.score)
    return weights.calibrated(calibration.active_model(db, Storage(settings.storage_path)))


def score_candidate(db: Database, settings: Settings, candidate_id: int, *, keep_skips: int = 0) -> ScoreRun:
    """Score one active candidate against every open job."""
    run = ScoreRun()
    cands = candidates_store.profiles_to_score(db, candidate_id)
    if not cands:
        return run
    if settings.score.keep_job_index:
        index = OPEN_JOBS.get(db)
    else:
        jobs = open_jobs(db)[1]
        index = scoring.index_jobs(jobs) if jobs else None
    if index is None:
        return run
    result = scoring.score(scoring.candidate_features(cands, index), index, weights_for(db, settings))
    _collect(run, result, keep_skips=keep_skips)
    return run


def score_job(db: Database, settings: Settings, job_id: int, *, keep_skips: int = 0) -> ScoreRun:
    """Score one open job against every active candidate, a page of candidates at a time."""
    run = ScoreRun()
    jobs = job_with_idf_sample(db, job_id)
    if not jobs:
        return run
    index = scoring.index_jobs(jobs)
    weights = weights_for(db, settings)
    after = 0
    while True:
        cands = candidates_store.profiles_to_score(db, after_id=after, limit=CANDIDATE_CHUNK)
        if not cands:
            break
        result = scoring.score(scoring.candidate_features(cands, index), index.subset(1), weights)
        _collect(run, result, keep_skips=keep_skips)
        after = cands[-1][0]
    return run


# ------------------------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------------------------
def save_matches(conn: Any, matches: list[Match]) -> tuple[int, list[NewTask]]:
    """Create the applications of ``apply``/``review`` matches; return (created, tailor follow-ons).

    All in three statements however many matches (one per match took ~0.7 ms: seconds for a candidate
    matched to thousands of jobs): the applications (``apply`` ones straight to ``preparing``), an event
    for each one created, and the ``apply`` applications still waiting for their tailoring."""
    chosen = [m for m in matches if m.decision in ("apply", "review")]
    created = create_applications(conn, [
        {"candidate_id": m.candidate_id, "job_id": m.job_id, "score": m.score, "breakdown": m.breakdown,
         "decision": m.decision, "status": "preparing" if m.decision == "apply" else "matched"} for m in chosen])
    queue.add_events(conn, [
        {"message": f"matched candidate {m.candidate_id} to job {m.job_id}: {m.score:.0f} ({m.decision})",
         "agent": "score", "candidate_id": m.candidate_id, "job_id": m.job_id,
         "application_id": created[(m.candidate_id, m.job_id)], "data": {"score": m.score, "decision": m.decision}}
        for m in chosen if (m.candidate_id, m.job_id) in created])
    ready = ready_to_tailor(conn, [(m.candidate_id, m.job_id) for m in chosen if m.decision == "apply"])
    follow = [NewTask("tailor", {"application_id": r["id"]}, key=f"tailor:{r['id']}", candidate_id=r["candidate_id"],
                      job_id=r["job_id"], application_id=r["id"]) for r in ready]
    return len(created), follow


def run_score(db: Database, settings: Settings, *, candidate_id: int | None = None, job_id: int | None = None,
              task: Task | None = None) -> tuple[ScoreRun, int, list[NewTask]]:
    run = score_candidate(db, settings, candidate_id) if candidate_id is not None else score_job(db, settings, job_id or 0)
    with db.transaction() as conn:
        if task is not None:
            queue.assert_lease(conn, task)
        created, follow = save_matches(conn, run.matches)
    return run, created, follow
