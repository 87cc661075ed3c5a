"""``interview_prep``: a question bank for one application, for the candidate to prepare with.

Questions come from the job's skills the candidate has (each with the candidate's own evidence to talk
about), the job's skills the candidate lacks (gaps, to prepare an honest answer), the company and role,
and the candidate's roles. Saved as Markdown and JSON under ``tailored/<application_id>/`` and recorded
as ``applications.documents.interview_prep``. It is checked like every generated document; the job's own
skill names may appear in it because gaps are named as gaps.
"""

from __future__ import annotations

from functools import partial

from core.agent import Agent, AgentContext, AgentResult, register
from core.documents.context import ApplicationPayload
from core.documents.interview_prep import prepare_interview


@register
class InterviewPrep(Agent):
    name = "interview_prep"
    description = "Write an interview question bank for one application (skills, gaps, company)."
    payload_model = ApplicationPayload
    default_concurrency = 2

    def handle(self, payload: ApplicationPayload, ctx: AgentContext) -> AgentResult:
        made = prepare_interview(ctx, payload.application_id)
        return AgentResult(result=made.result, in_tx=partial(made.record, task_id=ctx.task.id))
