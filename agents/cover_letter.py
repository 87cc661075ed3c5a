"""``cover_letter``: a letter for one application, grounded in matched evidence from the candidate's profile.

The evidence is the candidate's own bullets that mention the job's skills (required first), each with its
employer; the letter says nothing else about the candidate. A ``[documents] cover_letter_template`` may
replace the built-in wording; an LLM, when configured, may reword the body. Whatever the source, the
fabrication check must pass, or the task fails naming the invented fact (an LLM's text that fails is
dropped for the built-in wording instead). Writes TXT, DOCX and PDF under ``cover-letters/<application_id>/``,
sets the application ``ready`` and enqueues ``apply`` and ``interview_prep``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.agent import Agent, AgentContext, AgentResult, register
from core.documents.context import (
    PREPARABLE,
    ApplicationPayload,
    facts_for_prompt,
    llm_wording,
    load_preparable,
    set_status_if,
    update_documents,
)
from core.documents.cover_letter import (
    LetterBody,
    default_body,
    evidence,
    from_template,
    letter_doc,
    letter_text,
)
from core.documents.render import MIME, file_stem, to_docx, to_pdf
from core.models import NewTask


@register
class CoverLetter(Agent):
    name = "cover_letter"
    description = "Write the cover letter for one application (TXT, DOCX, PDF); then apply and interview prep."
    payload_model = ApplicationPayload
    default_concurrency = 2

    def handle(self, payload: ApplicationPayload, ctx: AgentContext) -> AgentResult:
        from core.documents.fabrication import check, check_file
        from core.storage import record_artifact

        app = load_preparable(ctx, payload.application_id)
        aid = app.application_id
        profile = app.profile
        ev = evidence(app)
        template = ctx.settings.documents.cover_letter_template
        if template is not None:
            body, source = from_template(Path(template), app, ev), "template"
        else:
            body, source = default_body(app, ev), "rules"
            # The letter around the body (greeting, sign-off) is fixed, so only the body is asked for.
            def verify(answer: LetterBody) -> None:
                check(letter_text(letter_doc(app, answer.paragraphs)), profile, allowed=app.allowed_phrases,
                      what="LLM cover letter")

            prompt = ("Write the body of a cover letter (3-4 short paragraphs, no greeting or sign-off) for this "
                      f"candidate and job. Quote evidence only from the facts.\n{facts_for_prompt(app, ev)}")
            answer = llm_wording(ctx, "cover letter", prompt, LetterBody, verify)
            if answer is not None:
                body, source = [p.strip() for p in answer.paragraphs if p.strip()], "llm"
        doc = letter_doc(app, body)
        text = letter_text(doc)
        check(text, profile, allowed=app.allowed_phrases, what="cover letter")
        ctx.check_cancelled()

        stem = file_stem(profile, "Cover_Letter")
        files = {
            "cover_letter_txt": ctx.storage.write("cover-letters", aid, f"{stem}.txt", data=text),
            "cover_letter_docx": ctx.storage.write("cover-letters", aid, f"{stem}.docx", data=to_docx(doc)),
            "cover_letter_pdf": ctx.storage.write("cover-letters", aid, f"{stem}.pdf", data=to_pdf(doc)),
        }
        for kind in ("cover_letter_docx", "cover_letter_pdf"):
            check_file(files[kind].path, profile, allowed=app.allowed_phrases, what=f"cover letter ({kind[13:]})")
        docs = {k: {"path": f.relpath, "sha256": f.sha256} for k, f in files.items()}
        cid, jid = app.application["candidate_id"], app.job["id"]

        def save(conn: Any) -> None:
            for kind, f in files.items():
                record_artifact(conn, kind, f, mime=MIME.get(f.path.suffix), candidate_id=cid, job_id=jid,
                                application_id=aid, task_id=ctx.task.id,
                                meta={"source": source, "evidence": len(ev)})
            update_documents(conn, aid, docs)
            set_status_if(conn, aid, "ready", PREPARABLE)

        common = {"candidate_id": cid, "job_id": jid, "application_id": aid}
        return AgentResult(
            result={"application_id": aid, "documents": docs, "source": source,
                    "evidence": [b for b, _ in ev]},
            follow_ons=[NewTask(agent="apply", payload={"application_id": aid}, key=f"apply:{aid}",
                                site=app.job.get("site"), **common),
                        NewTask(agent="interview_prep", payload={"application_id": aid}, key=f"interview_prep:{aid}",
                                **common)],
            in_tx=save,
        )
