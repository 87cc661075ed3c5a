"""Interview preparation: a question bank from the job and the candidate's profile, as Markdown."""

from __future__ import annotations

import json
from typing import Any

from core.agent import AgentContext
from core.crypto import load_cipher
from core.documents.context import (
    AppContext,
    Made,
    load_context,
)
from core.documents.fabrication import check
from core.errors import PermanentError

GENERAL = [
    ("Tell me about a time you disagreed with a teammate about a technical decision. What happened?",
     "behavioural: collaboration"),
    ("Describe a problem in production you owned from detection to fix. What did you change afterwards?",
     "behavioural: ownership"),
    ("What would you want to learn or achieve in your first three months in this role?", "motivation"),
]


def question_bank(app: AppContext) -> dict[str, Any]:
    profile = app.profile
    roles = profile.get("experience") or []
    sections: list[dict[str, Any]] = []

    def evidence_for(skill: str) -> tuple[str, str] | None:
        from core.candidates import skills as vocab

        for role in roles:
            for b in role.get("bullets") or []:
                if skill in vocab.extract(b):
                    return b, role.get("employer") or ""
        return None

    skill_qs = []
    for skill in (app.matched_required + app.matched_nice)[:8]:
        ev = evidence_for(skill)
        q = {"question": f"Walk me through a project where you used {skill}. What was hard about it?",
             "why": "required skill" if skill in app.required else "nice-to-have skill", "skill": skill,
             "evidence": f"{ev[0]} ({ev[1]})" if ev else None}
        skill_qs.append(q)
    sections.append({"name": "Skills the job asks for", "questions": skill_qs})

    gap_qs = [{"question": f"The role asks for {skill}, which is not on your resume. How would you get productive "
                           "with it quickly, and what related experience can you point to?",
               "why": "gap (required)" if skill in app.required else "gap (nice-to-have)", "skill": skill,
               "evidence": None}
              for skill in app.gaps[:6]]
    sections.append({"name": "Gaps to prepare for", "questions": gap_qs})

    company = app.company or "this company"
    title = app.job_title or "this role"
    sections.append({"name": "Company and role", "questions": [
        {"question": f"Why do you want to work at {company}?", "why": "company", "evidence": None},
        {"question": f"What do you know about {company}'s products and customers?", "why": "company",
         "evidence": None},
        {"question": f"Why this {title} role, and why now?", "why": "role", "evidence": None},
    ]})

    exp_qs = []
    for role in roles[:3]:
        if role.get("title") and role.get("employer"):
            exp_qs.append({"question": f"What was your biggest impact as {role['title']} at {role['employer']}?",
                           "why": "experience", "evidence": (role.get("bullets") or [None])[0]})
    current = next((r for r in roles if r.get("end") == "present" and r.get("employer")), None)
    if current:
        exp_qs.append({"question": f"Why are you looking to leave {current['employer']}?", "why": "experience",
                       "evidence": None})
    exp_qs += [{"question": q, "why": why, "evidence": None} for q, why in GENERAL]
    sections.append({"name": "Experience and behaviour", "questions": exp_qs})
    return {"application_id": app.application_id, "job": {"title": app.job_title, "company": app.company},
            "matched_skills": app.matched_required + app.matched_nice, "gaps": app.gaps, "sections": sections}


def to_markdown(bank: dict[str, Any]) -> str:
    job = bank["job"]
    lines = [f"# Interview preparation: {job['title']} at {job['company']}", ""]
    for section in bank["sections"]:
        if not section["questions"]:
            continue
        lines += [f"## {section['name']}", ""]
        for i, q in enumerate(section["questions"], 1):
            lines.append(f"{i}. {q['question']}")
            if q.get("evidence"):
                lines.append(f"   - Your evidence: {q['evidence']}")
        lines.append("")
    return "\n".join(lines)


def prepare_interview(ctx: AgentContext, application_id: int) -> Made:
    """The question bank of one application, as Markdown and JSON under ``tailored/<application_id>/``, checked
    like every generated document (the job's own skill names may appear: gaps are named as gaps)."""
    app = load_context(ctx.db, load_cipher(ctx.settings), application_id)
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
    count = sum(len(s["questions"]) for s in bank["sections"])
    return Made(app, files, listed=("interview_prep",),
                result={"application_id": aid, "questions": count, "gaps": bank["gaps"],
                        "path": files["interview_prep"].relpath})
