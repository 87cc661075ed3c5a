"""``cover_letter``: a letter for one application, grounded in matched evidence from the candidate's profile.

The evidence is the candidate's own bullets that mention the job's skills (required first), each with its
employer; the letter says nothing else about the candidate. A ``[documents] cover_letter_template`` may
replace the built-in wording; an LLM, when configured, may reword the body. Whatever the source, the
fabrication check must pass, or the task fails naming the invented fact (an LLM's text that fails is
dropped for the built-in wording instead). Writes TXT, DOCX and PDF under ``cover-letters/<application_id>/``,
sets the application ``ready`` and enqueues ``apply`` and ``interview_prep``.
"""

from __future__ import annotations

from functools import partial

from core.agent import Agent, AgentContext, AgentResult, register
from core.documents.context import ApplicationPayload
from core.documents.cover_letter import write_cover_letter
from core.models import NewTask


@register
class CoverLetter(Agent):
    name = "cover_letter"
    description = "Write the cover letter for one application (TXT, DOCX, PDF); then apply and interview prep."
    payload_model = ApplicationPayload
    default_concurrency = 2

    def handle(self, payload: ApplicationPayload, ctx: AgentContext) -> AgentResult:
        made = write_cover_letter(ctx, payload.application_id)
        aid = made.app.application_id
        common = {"candidate_id": made.app.application["candidate_id"], "job_id": made.app.job["id"],
                  "application_id": aid}
        return AgentResult(
            result=made.result,
            follow_ons=[NewTask(agent="apply", payload={"application_id": aid}, key=f"apply:{aid}",
                                site=made.app.job.get("site"), **common),
                        NewTask(agent="interview_prep", payload={"application_id": aid}, key=f"interview_prep:{aid}",
                                **common)],
            in_tx=partial(made.record, task_id=ctx.task.id),
        )
