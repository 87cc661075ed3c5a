"""``resume_parse``: a resume file to a structured profile (deterministic rules; no key needed).

Payload ``{"candidate_id": id}`` re-parses the candidate's stored resume, merges the candidate's profile
file on top (the file wins), saves the profile and enqueues ``score`` for the candidate
(key ``score:candidate:<id>:<resume sha256>``). Payload ``{"path": file}`` (absolute, or relative to the
storage root) only parses and saves the JSON. A file that cannot be read (corrupt, empty, encrypted,
image-only) ends the task in ``needs_human`` with the reason; nothing else is changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import model_validator

from core.agent import Agent, AgentContext, AgentResult, Payload, register
from core.candidates.resume import ResumeError, flat_view, parse_resume
from core.candidates.store import other_with_email


class ResumeParsePayload(Payload):
    candidate_id: int | None = None
    path: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ResumeParsePayload:
        if (self.candidate_id is None) == (self.path is None):
            raise ValueError("give exactly one of candidate_id or path")
        return self


@register
class ResumeParse(Agent):
    name = "resume_parse"
    description = "Parse a candidate's resume (PDF/DOCX/TXT) into a profile; then score the candidate."
    payload_model = ResumeParsePayload
    default_concurrency = 2
    max_attempts = 3

    def handle(self, payload: ResumeParsePayload, ctx: AgentContext) -> AgentResult:
        from core.candidates import intake as cands
        from core.crypto import load_cipher
        from core.errors import NeedsHuman
        from core.storage import record_artifact

        if payload.path is not None:
            path = self._resolve(payload.path, ctx)
            parsed = self._parse(path)
            stored = cands.store_parsed(ctx.storage, parsed)

            def record(conn: Any) -> None:
                record_artifact(conn, "parsed_resume", stored, mime="application/json", task_id=ctx.task.id,
                                meta={"source": path.name})

            from core.crypto import seal

            # the parsed profile is personal data (email, phone, history): sealed in tasks.result
            return AgentResult(result={"parsed_path": stored.relpath,
                                       "profile": seal(load_cipher(ctx.settings), flat_view(parsed))}, in_tx=record)

        cid = int(payload.candidate_id)  # type: ignore[arg-type]
        row = cands.candidate_resume(ctx.db, cid)
        if not row["resume_path"]:
            raise NeedsHuman(f"candidate {cid} has no resume file; add one with "
                             "talvix candidates add --resume FILE")
        path = ctx.storage.resolve(row["resume_path"])
        if not path.is_file():
            raise NeedsHuman(f"candidate {cid}'s resume {row['resume_path']} is missing from the storage root; "
                             "add it again with talvix candidates add --resume FILE")
        parsed = self._parse(ctx.storage.plain(path))
        sha = parsed["resume"]["sha256"]
        cipher = load_cipher(ctx.settings)
        overrides = cands.load_overrides(ctx.db, cipher, cid) or {}
        try:
            profile = cands.merged_profile(parsed, overrides)
        except Exception as exc:
            raise NeedsHuman(f"candidate {cid}: {exc}") from None
        stored = cands.store_parsed(ctx.storage, parsed)
        ctx.log(f"parsed resume of candidate {cid}", fields={k: v for k, v in parsed["confidence"].items()})

        def save(conn: Any) -> None:
            try:
                cands.update_profile(conn, cipher, cid, profile, sha)
            except ResumeError as exc:
                raise _Conflict(str(exc)) from None
            record_artifact(conn, "parsed_resume", stored, mime="application/json", candidate_id=cid,
                            task_id=ctx.task.id, meta={"parser": parsed["resume"]["parser"],
                                                       "confidence": parsed["confidence"]})

        # An email that belongs to another candidate is a person's decision: check before completing.
        email = (profile.get("identity") or {}).get("email")
        if email:
            other = other_with_email(ctx.db, cipher, email, cid)
            if other is not None:
                raise NeedsHuman(f"candidate {cid}: the resume's email belongs to candidate {other}; "
                                 "merge or fix the candidates, then retry")
        view = flat_view(parsed)
        return AgentResult(
            result={"candidate_id": cid, "parsed_path": stored.relpath, "confidence": parsed["confidence"],
                    "skills": view["skills"], "years_experience": view["years_experience"],
                    "experience_entries": len(view["experience"])},
            follow_ons=[cands.score_task(cid, sha)],
            in_tx=save,
        )

    @staticmethod
    def _parse(path: Path) -> dict[str, Any]:
        from core.errors import NeedsHuman

        try:
            return parse_resume(path)
        except ResumeError as exc:
            raise NeedsHuman(str(exc)) from None

    @staticmethod
    def _resolve(raw: str, ctx: AgentContext) -> Path:
        from core.errors import NeedsHuman

        p = Path(raw)
        path = p if p.is_absolute() else ctx.storage.resolve(raw)
        if not path.is_file():
            raise NeedsHuman(f"resume file not found: {raw}")
        return ctx.storage.plain(path)


class _Conflict(Exception):
    """An email conflict discovered inside the completing transaction (rolls it back; the task retries)."""
