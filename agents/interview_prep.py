"""``interview_prep``: a question bank for one application, for the candidate to prepare with.

Questions come from the job's skills the candidate has (each with the candidate's own evidence to talk
about), the job's skills the candidate lacks (gaps, to prepare an honest answer), the company and role,
and the candidate's roles. Saved as Markdown and JSON under ``tailored/<application_id>/`` and recorded
as ``applications.documents.interview_prep``. It is checked like every generated document; the job's own
skill names may appear in it because gaps are named as gaps.
"""

from __future__ import annotations

import json
from typing import Any

from core.agent import Agent, AgentContext, AgentResult, register
from core.documents.context import (
    ApplicationPayload,
    load_context,
    update_documents,
)
from core.documents.interview_prep import question_bank, to_markdown
from core.errors import PermanentError


@register
class InterviewPrep(Agent):
    name = "interview_prep"
    description = "Write an interview question bank for one application (skills, gaps, company)."
    payload_model = ApplicationPayload
    default_concurrency = 2

    def handle(self, payload: ApplicationPayload, ctx: AgentContext) -> AgentResult:
        from core.crypto import load_cipher
        from core.documents.fabrication import check
        from core.storage import record_artifact

        app = load_context(ctx.db, load_cipher(ctx.settings), payload.application_id)
        aid = app.application_id
        if app.application["status"] == "withdrawn":
            raise PermanentError(f"application {aid} was withdrawn")
        bank = question_bank(app)
        md = to_markdown(bank)
        # Question numbers ("1.", "2.") are list markers, not claims: checked without them.
        body = "\n".join(line.split(". ", 1)[1] if line[:1].isdigit() and ". " in line else line
                         for line in md.splitlines())
        check(body, app.profile, allowed=app.allowed_phrases + app.required + app.nice, what="interview prep")
        files = {
            "interview_prep": ctx.storage.write("tailored", aid, "interview_prep.md", data=md),
            "interview_prep_json": ctx.storage.write("tailored", aid, "interview_prep.json",
                                                     data=json.dumps(bank, indent=2, ensure_ascii=False)),
        }

        def save(conn: Any) -> None:
            for kind, f in files.items():
                record_artifact(conn, kind, f, mime="text/markdown" if kind == "interview_prep" else "application/json",
                                candidate_id=app.application["candidate_id"], job_id=app.job["id"],
                                application_id=aid, task_id=ctx.task.id)
            update_documents(conn, aid, {"interview_prep": {"path": files["interview_prep"].relpath,
                                                            "sha256": files["interview_prep"].sha256}})

        count = sum(len(s["questions"]) for s in bank["sections"])
        return AgentResult(result={"application_id": aid, "questions": count, "gaps": bank["gaps"],
                                   "path": files["interview_prep"].relpath}, in_tx=save)
