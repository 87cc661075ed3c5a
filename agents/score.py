"""``score``: fit of candidates to jobs, and the applications that follow from it.

Payload ``{"candidate_id": id}`` scores one candidate against every open job; ``{"job_id": id}`` scores one
job against every active candidate (the IDF of the text component then comes from that job plus up to
``IDF_SAMPLE_JOBS`` other open jobs). The maths is :mod:`core.scoring.fit`.

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

from pydantic import model_validator

from core.agent import Agent, AgentContext, AgentResult, Payload, register
from core.errors import NotFound, PermanentError, TalvixError


class ScorePayload(Payload):
    candidate_id: int | None = None
    job_id: int | None = None

    @model_validator(mode="after")
    def _one_target(self) -> ScorePayload:
        if (self.candidate_id is None) == (self.job_id is None):
            raise ValueError("give exactly one of candidate_id or job_id")
        return self


@register
class Score(Agent):
    name = "score"
    description = "Fit 0-100 of candidates to jobs; apply/review decisions become applications (apply -> tailor)."
    payload_model = ScorePayload
    default_concurrency = 2
    lease_seconds = 600

    def handle(self, payload: ScorePayload, ctx: AgentContext) -> AgentResult:
        # Imported here: the CLI loads every agent to list and validate them, and this one is heavy.
        from core.scoring.run import run_score

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
