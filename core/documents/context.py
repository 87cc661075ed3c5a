"""What the document agents share: the application's facts, job skills, relevance, rendering and saving.

A document is built once as a small structure (:class:`Doc`: headings, paragraphs, bullets) and rendered
three ways from it: plain text, DOCX (python-docx) and PDF (reportlab). The fabrication check then runs on
the text *and* on what each written file really contains.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from core.agent import Payload
from core.candidates import skills as vocab
from core.documents.render import (
    MIME,
    full_name,
    month_year,
)
from core.errors import PermanentError
from core.storage import StoredFile, record_artifact

REQUIRED_WEIGHT = 3.0
NICE_WEIGHT = 1.5


# ------------------------------------------------------------------------------------------------
# The application's facts
# ------------------------------------------------------------------------------------------------
@dataclass
class AppContext:
    application: dict[str, Any]
    job: dict[str, Any]
    profile: dict[str, Any]
    required: list[str]
    nice: list[str]
    skills_source: str  # "parsed" | "description"

    @property
    def application_id(self) -> int:
        return int(self.application["id"])

    @property
    def company(self) -> str:
        return (self.job.get("company") or "").strip()

    @property
    def job_title(self) -> str:
        return (self.job.get("title") or "").strip()

    @property
    def allowed_phrases(self) -> list[str]:
        """What a document may quote from the job without it being a claim about the candidate."""
        return [p for p in (self.job_title, self.company) if p]

    @property
    def candidate_skills(self) -> list[str]:
        return vocab.normalise_list(list(self.profile.get("skills") or []) + list(self.profile.get("skills_years") or {}))

    @property
    def matched_required(self) -> list[str]:
        have = set(self.candidate_skills)
        return [s for s in self.required if s in have]

    @property
    def matched_nice(self) -> list[str]:
        have = set(self.candidate_skills)
        return [s for s in self.nice if s in have and s not in self.required]

    @property
    def gaps(self) -> list[str]:
        have = set(self.candidate_skills)
        return [s for s in self.required + self.nice if s not in have]


def load_context(db: Any, cipher: Any, application_id: int) -> AppContext:
    from core.applications import get_application
    from core.candidates.store import candidate_profile
    from core.jobs.store import get_job

    try:
        app = get_application(db, application_id)
    except Exception as exc:
        raise PermanentError(str(exc)) from None
    job = get_job(db, app["job_id"])
    profile = candidate_profile(db, cipher, app["candidate_id"])
    required, nice, source = job_skills(job)
    return AppContext(app, job, profile, required, nice, source)


def plain_description(description: str | None) -> str:
    """Job descriptions arrive as HTML, sometimes HTML-escaped twice (Greenhouse): plain text with line breaks."""
    text = description or ""
    for _ in range(2):
        if "&lt;" in text or "&amp;" in text or "&gt;" in text:
            text = html.unescape(text)
    text = re.sub(r"(?i)<br\s*/?>|</(p|li|h\d|div|ul|ol|tr)>", "\n", text)
    text = re.sub(r"(?i)<li[^>]*>", "\n• ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines() if line.strip())


_NICE_HEADINGS = re.compile(r"(?i)\b(nice[- ]to[- ]have|good[- ]to[- ]have|preferred|bonus|plus|desirable|"
                            r"would be great|added advantage)\b")


_REQUIRED_HEADINGS = re.compile(r"(?i)\b(requirements|required|must[- ]have|qualifications|you have|what you.ll need|"
                                r"responsibilities|what we.re looking for|skills)\b")


def job_skills(job: dict[str, Any]) -> tuple[list[str], list[str], str]:
    """(required, nice-to-have, source): from ``jobs.parsed`` when jd_parse has run, else from the description."""
    parsed = job.get("parsed")
    if isinstance(parsed, dict):
        skills_obj: dict[str, Any] = parsed["skills"] if isinstance(parsed.get("skills"), dict) else {}
        req = _first_list(parsed, ("required_skills", "required", "must_have")) or _first_list(skills_obj, ("required",))
        nice_p = (_first_list(parsed, ("nice_to_have_skills", "nice_skills", "nice_to_have", "nice", "preferred_skills"))
                  or _first_list(skills_obj, ("nice", "nice_to_have", "preferred")))
        if req or nice_p:
            req_n = vocab.normalise_list(req)
            return req_n, [s for s in vocab.normalise_list(nice_p) if s not in req_n], "parsed"
    text = plain_description(job.get("description"))
    required: list[str] = []
    nice: list[str] = []
    in_nice = False
    for line in text.splitlines():
        short = len(line) <= 60
        if short and _NICE_HEADINGS.search(line) and not vocab.extract(line):
            in_nice = True
            continue
        if short and _REQUIRED_HEADINGS.search(line) and not vocab.extract(line):
            in_nice = False
            continue
        found = vocab.extract(line)
        if _NICE_HEADINGS.search(line) and found:  # "Kafka is a plus"
            nice.extend(found)
        else:
            (nice if in_nice else required).extend(found)
    title_skills = vocab.extract(job.get("title") or "")
    req_n = vocab.normalise_list(title_skills + required)
    return req_n, [s for s in vocab.normalise_list(nice) if s not in req_n], "description"


def _first_list(obj: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    for k in keys:
        v = obj.get(k)
        if isinstance(v, list) and v:
            return [str(x.get("name") if isinstance(x, dict) else x) for x in v if x]
    return []


_STOP = {"with", "that", "this", "from", "have", "will", "your", "their", "about", "into", "over", "more", "than",
         "team", "work", "working", "using", "used", "build", "built", "years", "year", "experience", "role",
         "strong", "ability", "skills", "knowledge", "good", "great", "other", "such", "also", "across", "within"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z+#.-]{3,}", text.lower()) if w not in _STOP}


def bullet_relevance(bullet: str, ctx: AppContext, job_words: set[str] | None = None) -> float:
    """How much a bullet of the candidate's speaks to this job: its skills (required above nice), then words."""
    found = set(vocab.extract(bullet))
    score = REQUIRED_WEIGHT * len(found & set(ctx.required)) + NICE_WEIGHT * len(found & set(ctx.nice))
    if job_words is None:
        job_words = _words(plain_description(ctx.job.get("description")) + " " + ctx.job_title)
    score += 0.25 * min(8, len(_words(bullet) & job_words))
    return score


def ordered_skills(ctx: AppContext, limit: int) -> list[str]:
    """The candidate's skills, the job's required ones first, then nice-to-have, then the rest as listed."""
    own = ctx.candidate_skills
    first = ctx.matched_required + [s for s in ctx.matched_nice if s not in ctx.matched_required]
    rest = [s for s in own if s not in first]
    return (first + rest)[:limit]


def years_text(profile: dict[str, Any]) -> str | None:
    years = (profile.get("work") or {}).get("years_experience")
    if years is None:
        return None
    y = float(years)
    return f"{int(y)}" if y == int(y) else f"{y:.1f}".rstrip("0").rstrip(".")


def update_documents(conn: Any, application_id: int, docs: dict[str, dict[str, str]]) -> None:
    """Merge ``docs`` (kind -> {path, sha256}) into ``applications.documents``."""
    conn.execute("UPDATE applications SET documents = documents || %s, updated_at = now() WHERE id = %s",
                 (Jsonb(docs), application_id))


def set_status_if(conn: Any, application_id: int, status: str, allowed_from: tuple[str, ...]) -> bool:
    row = conn.execute("UPDATE applications SET status = %s, updated_at = now() WHERE id = %s AND status = ANY(%s) "
                       "RETURNING id", (status, application_id, list(allowed_from))).fetchone()
    return row is not None


#: Application states in which documents may still be (re)made: nothing has been sent yet.
PREPARABLE = ("matched", "preparing", "ready")


def load_preparable(agent_ctx: Any, application_id: int) -> AppContext:
    """The application's facts for a document agent; refuses one that has moved past preparation."""
    from core.crypto import load_cipher
    from core.errors import PermanentError

    app = load_context(agent_ctx.db, load_cipher(agent_ctx.settings), application_id)
    if app.application["status"] not in PREPARABLE:
        raise PermanentError(f"application {application_id} is {app.application['status']}; "
                             "its documents are not remade")
    return app


# ------------------------------------------------------------------------------------------------
# Optional LLM wording, always re-checked
# ------------------------------------------------------------------------------------------------
def facts_for_prompt(ctx: AppContext, evidence: list[tuple[str, str]] | None = None) -> str:
    """The only facts an LLM is given (and so the only ones it could use): the candidate's own."""
    p = ctx.profile
    lines = [f"Candidate: {full_name(p)}"]
    yt = years_text(p)
    if yt:
        lines.append(f"Years of experience: {yt}")
    for e in p.get("experience") or []:
        lines.append(f"Role: {e.get('title')} at {e.get('employer')} ({month_year(e.get('start'))} - "
                     f"{month_year(e.get('end'))})")
    lines.append("Skills: " + ", ".join(ctx.candidate_skills))
    if evidence:
        lines.append("Evidence (quote facts only from here):")
        lines += [f"- {b} ({emp})" for b, emp in evidence]
    lines.append(f"Job: {ctx.job_title} at {ctx.company}")
    if ctx.matched_required or ctx.matched_nice:
        lines.append("Job skills the candidate has: " + ", ".join(ctx.matched_required + ctx.matched_nice))
    return "\n".join(lines)


SYSTEM_PROMPT = ("You write job-application text for a real person. Use ONLY facts given to you: never add an "
                 "employer, job title, skill, number, date or achievement that is not in the facts. Plain text, "
                 "no Markdown.")


def llm_wording(agent_ctx: Any, purpose: str, prompt: str, schema: type[Any], verify: Any) -> Any | None:
    """An LLM's structured answer that passes ``verify`` (the fabrication check), or None (use the rules).

    Every outcome is logged: no LLM configured, the call failed, or the answer invented a fact.
    """
    from core.documents.fabrication import FabricationError
    from core.llm import LLMError, for_context

    client = for_context(agent_ctx, purpose)
    if client is None:
        return None
    try:
        answer = client.structured(prompt, schema, system=SYSTEM_PROMPT, purpose=purpose)
    except LLMError as exc:
        agent_ctx.log(f"LLM {purpose} failed ({exc}); using the deterministic text", level="warning")
        return None
    try:
        verify(answer)
    except FabricationError as exc:
        agent_ctx.log(f"LLM {purpose} rejected by the fabrication check ({exc}); using the deterministic text",
                      level="warning", violations=[str(v) for v in exc.violations])
        return None
    agent_ctx.log(f"LLM {purpose} accepted")
    return answer


class ApplicationPayload(Payload):
    application_id: int


@dataclass
class Made:
    """Documents written for one application, recorded in the task's own transaction by :meth:`record`."""

    app: AppContext
    files: dict[str, StoredFile]
    result: dict[str, Any]
    meta: dict[str, Any] | None = None
    #: The application's status once recorded (from a preparable one), or None to leave it.
    status: str | None = None
    #: Which files ``applications.documents`` names (default: all of them).
    listed: tuple[str, ...] | None = None

    @property
    def documents(self) -> dict[str, dict[str, str]]:
        kinds = self.listed or tuple(self.files)
        return {k: {"path": self.files[k].relpath, "sha256": self.files[k].sha256} for k in kinds}

    def record(self, conn: Any, *, task_id: int | None) -> None:
        aid = self.app.application_id
        for kind, f in self.files.items():
            record_artifact(conn, kind, f, mime=MIME.get(f.path.suffix), candidate_id=self.app.application["candidate_id"],
                            job_id=self.app.job["id"], application_id=aid, task_id=task_id, meta=self.meta)
        update_documents(conn, aid, self.documents)
        if self.status is not None:
            set_status_if(conn, aid, self.status, PREPARABLE)
