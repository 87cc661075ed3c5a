"""``tailor``: a resume for one application, made only of the candidate's own bullets and skills.

It keeps every role (a resume with holes is worse than a long one) but orders each role's bullets by
relevance to the job (skills the job requires, then nice-to-have ones, then shared words) and keeps the
best few; skills are reordered the same way. With an LLM the summary may be reworded, and is used only if
it passes the fabrication check. Writes DOCX and PDF under ``tailored/<application_id>/`` and a diff against
the base resume, records them in ``applications.documents``, sets the application to ``preparing`` and
enqueues ``cover_letter``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from core.agent import Agent, AgentContext, AgentResult, Payload, register
from core.documents import (MIME, PREPARABLE, AppContext, Doc, bullet_relevance, contact_line, facts_for_prompt,
                            file_stem, full_name, llm_wording, load_preparable, month_year, ordered_skills,
                            plain_description, set_status_if, to_docx, to_pdf, to_text, unified_diff,
                            update_documents, years_text, _words)
from core.models import NewTask


class ApplicationPayload(Payload):
    application_id: int


class SummaryAnswer(BaseModel):
    summary: str = Field(min_length=20, max_length=700)


def resume_doc(profile: dict[str, Any], *, summary: str | None, skills: list[str],
               roles: list[tuple[dict[str, Any], list[str]]]) -> Doc:
    doc = Doc(full_name(profile), contact_line(profile))
    if summary:
        doc.heading("Summary")
        doc.para(summary)
    if skills:
        doc.heading("Skills")
        doc.para(", ".join(skills))
    if roles:
        doc.heading("Experience")
        for role, bullets in roles:
            head = ", ".join(x for x in (role.get("title"), role.get("employer")) if x)
            if role.get("location"):
                head += f", {role['location']}"
            dates = " – ".join(x for x in (month_year(role.get("start")), month_year(role.get("end"))) if x)
            doc.role(head, dates)
            for b in bullets:
                doc.bullet(b)
    education = profile.get("education") or []
    if education:
        doc.heading("Education")
        for e in education:
            degree = " in ".join(x for x in (e.get("degree"), e.get("field")) if x)
            line = ", ".join(x for x in (degree, e.get("institution")) if x)
            years = " – ".join(x for x in (e.get("start"), e.get("end")) if x)
            doc.para(f"{line} ({years})" if years else line)
    return doc


def base_resume(profile: dict[str, Any]) -> Doc:
    """The candidate's resume as parsed: every bullet, original order (the left side of the diff)."""
    roles = [(r, list(r.get("bullets") or [])) for r in profile.get("experience") or []]
    return resume_doc(profile, summary=profile.get("summary"), skills=list(profile.get("skills") or []), roles=roles)


def default_summary(app: AppContext) -> str | None:
    p = app.profile
    summary = (p.get("summary") or "").strip()
    if not summary:
        work = p.get("work") or {}
        exp = p.get("experience") or []
        title = work.get("current_title") or (exp[0].get("title") if exp else None)
        years = years_text(p)
        if title and years:
            summary = f"{title} with {years} years of experience."
        elif title:
            summary = f"{title}."
    matched = app.matched_required + app.matched_nice
    if matched:
        summary = (summary + " " if summary else "") + f"Relevant skills for this role: {', '.join(matched[:6])}."
    return summary or None


def tailored_roles(app: AppContext, max_bullets: int) -> list[tuple[dict[str, Any], list[str]]]:
    job_words = _words(plain_description(app.job.get("description")) + " " + app.job_title)
    out = []
    for i, role in enumerate(app.profile.get("experience") or []):
        bullets = list(role.get("bullets") or [])
        ranked = sorted(range(len(bullets)), key=lambda k: (-bullet_relevance(bullets[k], app, job_words), k))
        keep = max_bullets if i < 2 else max(2, max_bullets // 2)
        out.append((role, [bullets[k] for k in ranked[:keep]]))
    return out


@register
class Tailor(Agent):
    name = "tailor"
    description = "Tailor the candidate's resume to one application (DOCX + PDF + diff); then the cover letter."
    payload_model = ApplicationPayload
    default_concurrency = 2

    def handle(self, payload: ApplicationPayload, ctx: AgentContext) -> AgentResult:
        from core.fabrication import check, check_file
        from core.storage import record_artifact

        app = load_preparable(ctx, payload.application_id)
        aid = app.application_id
        cfg = ctx.settings.documents
        profile = app.profile
        if not (profile.get("experience") or profile.get("skills")):
            from core.errors import NeedsHuman

            raise NeedsHuman(f"candidate {app.application['candidate_id']} has no experience or skills to tailor; "
                             "re-parse the resume or complete the profile")
        summary = default_summary(app)
        summary_source = "rules"

        def verify(answer: SummaryAnswer) -> None:
            check(answer.summary, profile, allowed=app.allowed_phrases, what="LLM summary")

        prompt = (f"Write a 2-3 sentence professional summary for this candidate's resume, aimed at the job below.\n"
                  f"{facts_for_prompt(app)}\nCurrent summary: {summary or '(none)'}")
        answer = llm_wording(ctx, "resume summary", prompt, SummaryAnswer, verify)
        if answer is not None:
            summary, summary_source = answer.summary.strip(), "llm"
        skills = ordered_skills(app, cfg.max_skills)
        doc = resume_doc(profile, summary=summary, skills=skills, roles=tailored_roles(app, cfg.max_bullets_per_role))
        text = to_text(doc)
        check(text, profile, allowed=app.allowed_phrases, what="tailored resume")
        ctx.check_cancelled()

        stem = file_stem(profile, "Resume")
        files = {
            "resume_docx": ctx.storage.write("tailored", aid, f"{stem}.docx", data=to_docx(doc)),
            "resume_pdf": ctx.storage.write("tailored", aid, f"{stem}.pdf", data=to_pdf(doc)),
            "resume_diff": ctx.storage.write("tailored", aid, "resume.diff",
                                             data=unified_diff(to_text(base_resume(profile)), text)),
        }
        for kind in ("resume_docx", "resume_pdf"):  # what was written, not what was meant to be
            check_file(ctx.storage.plain(files[kind].path), profile, allowed=app.allowed_phrases, what=f"tailored resume ({kind[7:]})")
        docs = {k: {"path": f.relpath, "sha256": f.sha256} for k, f in files.items()}

        def save(conn: Any) -> None:
            for kind, f in files.items():
                record_artifact(conn, kind, f, mime=MIME.get(f.path.suffix), candidate_id=app.application["candidate_id"],
                                job_id=app.job["id"], application_id=aid, task_id=ctx.task.id,
                                meta={"summary": summary_source, "skills_from": app.skills_source})
            update_documents(conn, aid, docs)
            set_status_if(conn, aid, "preparing", PREPARABLE)

        return AgentResult(
            result={"application_id": aid, "documents": docs, "summary_source": summary_source,
                    "skills_from": app.skills_source, "matched_required": app.matched_required,
                    "matched_nice": app.matched_nice, "gaps": app.gaps},
            follow_ons=[NewTask(agent="cover_letter", payload={"application_id": aid}, key=f"cover_letter:{aid}",
                                candidate_id=app.application["candidate_id"], job_id=app.job["id"],
                                application_id=aid)],
            in_tx=save,
        )
