"""Tailoring a resume to one application: the summary, the skills, the roles and bullets most relevant to the job."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from core.agent import AgentContext
from core.documents.context import (
    AppContext,
    Made,
    _words,
    bullet_relevance,
    facts_for_prompt,
    llm_wording,
    load_preparable,
    ordered_skills,
    plain_description,
    years_text,
)
from core.documents.fabrication import check, check_file
from core.documents.render import (
    Doc,
    contact_line,
    file_stem,
    full_name,
    month_year,
    to_docx,
    to_pdf,
    to_text,
    unified_diff,
)
from core.errors import NeedsHuman


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
            span = [role.get("start"), role.get("end")]
            if span[0] and span[0] == span[1]:
                span = span[:1]  # a role the resume dates once ("2021") is written so, not as "2021 – 2021"
            dates = " – ".join(x for x in (month_year(d) for d in span) if x)
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


def tailor_resume(ctx: AgentContext, application_id: int) -> Made:
    """The tailored resume of one application (DOCX, PDF, and a diff against the base resume), checked for
    anything the profile does not say, written under ``tailored/<application_id>/``."""
    app = load_preparable(ctx, application_id)
    aid = app.application_id
    cfg = ctx.settings.documents
    profile = app.profile
    if not (profile.get("experience") or profile.get("skills")):
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
    made = Made(app, files, result={}, meta={"summary": summary_source, "skills_from": app.skills_source},
                status="preparing")
    made.result = {"application_id": aid, "documents": made.documents, "summary_source": summary_source,
                   "skills_from": app.skills_source, "matched_required": app.matched_required,
                   "matched_nice": app.matched_nice, "gaps": app.gaps}
    return made
