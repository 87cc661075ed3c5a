"""``score``: fit of candidates to jobs, and the applications that follow from it.

Payload ``{"candidate_id": id}`` scores one candidate against every open job; ``{"job_id": id}`` scores one
job against every active candidate (the IDF of the text component then comes from that job plus up to
``IDF_SAMPLE_JOBS`` other open jobs). The maths is :mod:`core.scoring`.

For every pair the decision is ``apply`` or ``review``, an application row is created (unique per candidate
and job, so scoring twice creates nothing new) with its score, breakdown and decision:

* ``apply``: status ``matched`` then ``preparing``, and a ``tailor {"application_id"}`` follow-on keyed
  ``tailor:<application id>`` (the tailor agent then chains cover_letter and apply);
* ``review``: status ``matched`` with decision ``review`` and no follow-on, for an operator to look at;
* ``skip`` (below the review threshold, or knocked out): nothing is stored.

Jobs that jd_parse has not reached yet are parsed on the fly (not saved). An existing application is never
changed by a later score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import model_validator

from agents.jd_parse import parse_jd
from core import queue, scoring
from core.agent import Agent, AgentContext, AgentResult, Payload, register
from core.errors import NotFound, PermanentError, TalvixError
from core.models import NewTask, Task
from core.records import create_application, set_application_status

if TYPE_CHECKING:
    from core.config import Settings
    from core.db import Database

IDF_SAMPLE_JOBS = 2_000
CANDIDATE_CHUNK = 2_000
_JOB_COLUMNS = "id, title, description, location, workplace, salary, raw, parsed, description_sha256, status, company"


class ScorePayload(Payload):
    candidate_id: int | None = None
    job_id: int | None = None

    @model_validator(mode="after")
    def _one_target(self) -> "ScorePayload":
        if (self.candidate_id is None) == (self.job_id is None):
            raise ValueError("give exactly one of candidate_id or job_id")
        return self


# ------------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------------
def _with_parsed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        if not row.get("parsed"):
            row["parsed"] = parse_jd(row)
    return rows


def open_jobs(db: "Database") -> list[dict[str, Any]]:
    return _with_parsed(db.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE status = 'open' ORDER BY id"))


def job_with_idf_sample(db: "Database", job_id: int) -> list[dict[str, Any]]:
    """The job first, then up to IDF_SAMPLE_JOBS recent open jobs that only lend their term statistics."""
    row = db.one(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = %s", (job_id,))
    if row is None:
        raise NotFound(f"no job with id {job_id}")
    if row["status"] != "open":
        return []
    others = db.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE status = 'open' AND id <> %s ORDER BY id DESC LIMIT %s",
                        (job_id, IDF_SAMPLE_JOBS))
    return _with_parsed([row, *others])


def _profile(row: dict[str, Any]) -> dict[str, Any]:
    profile = dict(row.get("profile") or {})
    ident = dict(profile.get("identity") or {})
    ident.setdefault("location", row.get("location"))
    profile["identity"] = ident
    return profile


def candidate_rows(db: "Database", candidate_id: int | None = None, *, after_id: int = 0,
                   limit: int = CANDIDATE_CHUNK) -> list[tuple[int, dict[str, Any]]]:
    """(id, profile) of one candidate (any status), or a page of active candidates. No PII is read."""
    if candidate_id is not None:
        row = db.one("SELECT id, profile, location, status FROM candidates WHERE id = %s", (candidate_id,))
        if row is None:
            raise NotFound(f"no candidate with id {candidate_id}")
        return [(int(row["id"]), _profile(row))] if row["status"] == "active" else []
    rows = db.execute("""SELECT id, profile, location FROM candidates WHERE status = 'active' AND id > %s
                          ORDER BY id LIMIT %s""", (after_id, limit))
    return [(int(r["id"]), _profile(r)) for r in rows]


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
    for ci, ji in picked:
        bd = result.breakdown(ci, ji)
        run.matches.append(Match(int(result.candidates.ids[ci]), int(result.jobs.ids[ji]), bd["score"],
                                 bd["decision"], bd))
    run.matches.sort(key=lambda m: (-m.score, m.candidate_id, m.job_id))


def score_candidate(db: "Database", settings: "Settings", candidate_id: int, *, keep_skips: int = 0) -> ScoreRun:
    """Score one active candidate against every open job."""
    run = ScoreRun()
    cands = candidate_rows(db, candidate_id)
    jobs = open_jobs(db) if cands else []
    if not cands or not jobs:
        return run
    index = scoring.index_jobs(jobs)
    result = scoring.score(scoring.candidate_features(cands, index), index, scoring.Weights.from_settings(settings.score))
    _collect(run, result, keep_skips=keep_skips)
    return run


def score_job(db: "Database", settings: "Settings", job_id: int, *, keep_skips: int = 0) -> ScoreRun:
    """Score one open job against every active candidate, a page of candidates at a time."""
    run = ScoreRun()
    jobs = job_with_idf_sample(db, job_id)
    if not jobs:
        return run
    index = scoring.index_jobs(jobs)
    weights = scoring.Weights.from_settings(settings.score)
    after = 0
    while True:
        cands = candidate_rows(db, after_id=after)
        if not cands:
            break
        result = scoring.score(scoring.candidate_features(cands, index), index.subset(1), weights)
        _collect(run, result, keep_skips=keep_skips)
        after = cands[-1][0]
    return run


# ------------------------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------------------------
def _apply_ready(conn: Any, ids: list[int]) -> list[dict[str, Any]]:
    return conn.execute("""SELECT id, candidate_id, job_id FROM applications
                            WHERE id = ANY(%s) AND decision = 'apply' AND status = 'preparing' ORDER BY id""",
                        (ids,)).fetchall()


def save_matches(conn: Any, matches: list[Match]) -> tuple[int, list[NewTask]]:
    """Create the applications of ``apply``/``review`` matches; return (created, tailor follow-ons)."""
    created_n = 0
    apply_ids: list[int] = []
    for m in matches:
        if m.decision not in ("apply", "review"):
            continue
        app_id, created = create_application(conn, m.candidate_id, m.job_id, status="matched", score=m.score,
                                             breakdown=m.breakdown, decision=m.decision)
        if created:
            created_n += 1
            queue.add_event(conn, f"matched candidate {m.candidate_id} to job {m.job_id}: {m.score:.0f} ({m.decision})",
                            agent="score", candidate_id=m.candidate_id, job_id=m.job_id, application_id=app_id,
                            data={"score": m.score, "decision": m.decision})
            if m.decision == "apply":
                set_application_status(conn, app_id, "preparing")
        if m.decision == "apply":
            apply_ids.append(app_id)
    follow = [NewTask("tailor", {"application_id": r["id"]}, key=f"tailor:{r['id']}", candidate_id=r["candidate_id"],
                      job_id=r["job_id"], application_id=r["id"]) for r in _apply_ready(conn, apply_ids)]
    return created_n, follow


def run_score(db: "Database", settings: "Settings", *, candidate_id: int | None = None, job_id: int | None = None,
              task: Task | None = None) -> tuple[ScoreRun, int, list[NewTask]]:
    run = score_candidate(db, settings, candidate_id) if candidate_id is not None else score_job(db, settings, job_id or 0)
    with db.transaction() as conn:
        if task is not None:
            queue.assert_lease(conn, task)
        created, follow = save_matches(conn, run.matches)
    return run, created, follow


@register
class Score(Agent):
    name = "score"
    description = "Fit 0-100 of candidates to jobs; apply/review decisions become applications (apply -> tailor)."
    payload_model = ScorePayload
    default_concurrency = 2
    lease_seconds = 600

    def handle(self, payload: ScorePayload, ctx: AgentContext) -> AgentResult:
        try:
            run, created, follow = run_score(ctx.db, ctx.settings, candidate_id=payload.candidate_id,
                                             job_id=payload.job_id, task=ctx.task)
        except NotFound as exc:
            raise PermanentError(str(exc)) from None
        except TalvixError as exc:
            raise PermanentError(str(exc)) from None
        target = f"candidate {payload.candidate_id}" if payload.candidate_id is not None else f"job {payload.job_id}"
        ctx.log(f"scored {target}: {run.pairs} pairs, {run.counts['apply']} apply, {run.counts['review']} review, "
                f"{created} new applications")
        return AgentResult(
            result={"pairs": run.pairs, "decisions": run.counts, "applications_created": created,
                    "tailor_queued": len(follow),
                    "top": [{k: v for k, v in m.as_json().items() if k != "breakdown"} for m in run.matches[:10]]},
            follow_ons=follow)
