"""``tailor``: a resume for one application, made only of the candidate's own bullets and skills.

It keeps every role (a resume with holes is worse than a long one) but orders each role's bullets by
relevance to the job (skills the job requires, then nice-to-have ones, then shared words) and keeps the
best few; skills are reordered the same way. With an LLM the summary may be reworded, and is used only if
it passes the fabrication check. Writes DOCX and PDF under ``tailored/<application_id>/`` and a diff against
the base resume, records them in ``applications.documents``, sets the application to ``preparing`` and
enqueues ``cover_letter``.
"""

from __future__ import annotations

from functools import partial

from core.agent import Agent, AgentContext, AgentResult, register
from core.documents.context import ApplicationPayload
from core.documents.tailor import tailor_resume
from core.models import NewTask


@register
class Tailor(Agent):
    name = "tailor"
    description = "Tailor the candidate's resume to one application (DOCX + PDF + diff); then the cover letter."
    payload_model = ApplicationPayload
    default_concurrency = 2

    def handle(self, payload: ApplicationPayload, ctx: AgentContext) -> AgentResult:
        made = tailor_resume(ctx, payload.application_id)
        aid = made.app.application_id
        return AgentResult(
            result=made.result,
            follow_ons=[NewTask(agent="cover_letter", payload={"application_id": aid}, key=f"cover_letter:{aid}",
                                candidate_id=made.app.application["candidate_id"], job_id=made.app.job["id"],
                                application_id=aid)],
            in_tx=partial(made.record, task_id=ctx.task.id),
        )
