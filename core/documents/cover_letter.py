"""Cover letters: evidence from the profile for the job, a template or the default body, the letter as a document."""

from __future__ import annotations

import string
from pathlib import Path

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
    plain_description,
    years_text,
)
from core.documents.fabrication import check, check_file
from core.documents.render import Doc, file_stem, full_name, to_docx, to_pdf
from core.errors import PermanentError


class LetterBody(BaseModel):
    paragraphs: list[str] = Field(min_length=1, max_length=6)


def evidence(app: AppContext, limit: int = 3) -> list[tuple[str, str]]:
    """(bullet, employer) pairs that best show the job's skills, most relevant first."""
    job_words = _words(plain_description(app.job.get("description")) + " " + app.job_title)
    scored = []
    for i, role in enumerate(app.profile.get("experience") or []):
        for j, b in enumerate(role.get("bullets") or []):
            s = bullet_relevance(b, app, job_words)
            if s > 0:
                scored.append((-s, i, j, b, role.get("employer") or ""))
    scored.sort()
    return [(b, emp) for _, _, _, b, emp in scored[:limit]]


def placeholders(app: AppContext, ev: list[tuple[str, str]]) -> dict[str, str]:
    p = app.profile
    ident = p.get("identity") or {}
    exp = p.get("experience") or []
    current = exp[0] if exp else {}
    work = p.get("work") or {}
    matched = app.matched_required + app.matched_nice
    return {
        "name": full_name(p), "first_name": ident.get("first_name") or "", "email": ident.get("email") or "",
        "phone": ident.get("phone") or "", "company": app.company or "your company",
        "job_title": app.job_title or "the open", "current_title": work.get("current_title") or current.get("title") or "",
        "current_employer": work.get("current_company") or current.get("employer") or "",
        "years": years_text(p) or "", "matched_skills": ", ".join(matched),
        "evidence": "\n".join(f"- {b} ({emp})" if emp else f"- {b}" for b, emp in ev),
        "notice_period_days": str(work.get("notice_period_days") or ""),
    }


def default_body(app: AppContext, ev: list[tuple[str, str]]) -> list[str]:
    v = placeholders(app, ev)
    intro = f"I am writing to apply for the {v['job_title']} role at {v['company']}."
    if v["current_title"] and v["current_employer"]:
        intro += f" I am currently a {v['current_title']} at {v['current_employer']}"
        intro += f", with {v['years']} years of experience." if v["years"] else "."
    elif v["years"]:
        intro += f" I bring {v['years']} years of experience."
    paras = [intro]
    if ev:
        paras.append("Some of my work that is relevant to this role:\n" + v["evidence"])
    if v["matched_skills"]:
        paras.append(f"My experience with {v['matched_skills']} matches what you are looking for.")
    closing = f"I would welcome the chance to discuss how I can contribute to {v['company']}."
    if v["notice_period_days"]:
        closing += f" My notice period is {v['notice_period_days']} days."
    paras.append(closing)
    return paras


def from_template(path: Path, app: AppContext, ev: list[tuple[str, str]]) -> list[str]:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PermanentError(f"cover letter template {path} cannot be read: {exc.strerror}") from None
    try:
        text = string.Template(raw).substitute(placeholders(app, ev))
    except KeyError as exc:
        raise PermanentError(f"cover letter template {path} uses an unknown placeholder ${exc.args[0]}; "
                             "see the README, \"Candidates, resumes and documents\", for the list") from None
    except ValueError as exc:
        raise PermanentError(f"cover letter template {path} is malformed: {exc}") from None
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def letter_doc(app: AppContext, body: list[str]) -> Doc:
    p = app.profile
    ident = p.get("identity") or {}
    doc = Doc(full_name(p), " | ".join(x for x in (ident.get("email"), ident.get("phone")) if x))
    doc.para(f"Dear Hiring Team at {app.company}," if app.company else "Dear Hiring Team,")
    for para in body:
        lines = para.splitlines()
        if len(lines) > 1 and all(line.startswith("- ") for line in lines[1:]):
            doc.para(lines[0])
            for line in lines[1:]:
                doc.bullet(line[2:])
        else:
            doc.para(para)
    doc.para("Sincerely,")
    doc.para(full_name(p))
    return doc


def letter_text(doc: Doc) -> str:
    """The letter as plain text (a letter, not a resume: no upper-cased headings)."""
    lines = [doc.title]
    if doc.subtitle:
        lines.append(doc.subtitle)
    for b in doc.blocks:
        if b.kind == "bullet":
            lines.append(f"- {b.text}")
        else:
            lines += ["", b.text]
    return "\n".join(lines).strip() + "\n"


def write_cover_letter(ctx: AgentContext, application_id: int) -> Made:
    """The cover letter of one application (TXT, DOCX, PDF) from the matched evidence, the template or an LLM's
    wording, checked for anything the profile does not say, written under ``cover-letters/<application_id>/``."""
    app = load_preparable(ctx, application_id)
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
        check_file(ctx.storage.plain(files[kind].path), profile, allowed=app.allowed_phrases, what=f"cover letter ({kind[13:]})")
    made = Made(app, files, result={}, meta={"source": source, "evidence": len(ev)}, status="ready")
    made.result = {"application_id": aid, "documents": made.documents, "source": source,
                   "evidence": [b for b, _ in ev]}
    return made
