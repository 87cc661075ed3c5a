"""``jd_parse``: a job description -> the structured facts scoring needs, without any LLM.

Payload ``{"job_id": id}``. Output (saved under ``jds/<job id>-<sha>.json`` and in ``jobs.parsed``)::

    {"required_skills": [...], "nice_skills": [...], "years_min": 3, "years_max": 5,
     "location": "Bengaluru", "workplace": "hybrid", "employment_type": "full_time",
     "salary": {"currency": "INR", "min": 1200000, "max": 1800000, "period": "year",
                "min_lpa": 12.0, "max_lpa": 18.0, "text": "12-18 LPA"},
     "sponsorship": false, "title": ..., "description_sha256": ..., "parser": "rules/1"}

Skills come from the shared vocabulary (``core.candidates.skills``) and are split by the section they appear in:
lines under "Nice to have / Preferred / Bonus" headings, or lines that say "is a plus", are nice-to-have;
everything else that names a skill is required. Follow-on: ``score {"job_id"}`` keyed by the description
hash, so an edited posting is scored again and an unchanged one is not.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from core.agent import Agent, AgentContext, AgentResult, Payload, register
from core.errors import NotFound, PermanentError
from core.jobs.jd import parse_jd
from core.jobs.store import get_job, save_parsed
from core.models import NewTask
from core.storage import record_artifact


# ------------------------------------------------------------------------------------------------
# The agent
# ------------------------------------------------------------------------------------------------
class JdParsePayload(Payload):
    job_id: int = Field(..., ge=1)


@register
class JdParse(Agent):
    name = "jd_parse"
    description = "Job description -> required/nice skills, years, place, workplace, salary, employment type."
    payload_model = JdParsePayload
    default_concurrency = 4

    def handle(self, payload: JdParsePayload, ctx: AgentContext) -> AgentResult:
        try:
            job = get_job(ctx.db, payload.job_id)
        except NotFound as exc:
            raise PermanentError(str(exc)) from None
        parsed = parse_jd(job)
        sha = job.get("description_sha256") or ""
        stored = ctx.storage.write("jds", f"{job['id']}-{sha[:12] or 'empty'}.json",
                                   data=json.dumps(parsed, indent=2, ensure_ascii=False, sort_keys=True))

        def write(conn: Any) -> None:
            if save_parsed(conn, job["id"], job.get("description_sha256"), parsed):
                record_artifact(conn, "jd", stored, mime="application/json", job_id=job["id"], task_id=ctx.task.id)

        follow = [NewTask("score", {"job_id": job["id"]}, key=f"score:job:{job['id']}:{sha[:16]}", job_id=job["id"])]
        ctx.log(f"parsed job {job['id']}: {len(parsed['required_skills'])} required, "
                f"{len(parsed['nice_skills'])} nice-to-have skills", job_id=job["id"])
        return AgentResult(result={"job_id": job["id"], "path": stored.relpath, "parsed": parsed},
                           follow_ons=[] if job.get("status") == "closed" else follow, in_tx=write)
