"""Adding candidates from a resume (and a profile file), and re-parsing their resumes.

``talvix candidates add`` parses the resume inline, so a bad file is reported to the operator at once and
the candidate is found again by email (one person, one row), then enqueues ``score`` for the candidate.
The ``resume_parse`` agent re-parses a stored resume later with the same code (:func:`reparse`).

The profile file is kept (encrypted: it holds CTC, answers and contact details) so that every re-parse
merges it again on top of the resume: the profile file always wins.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb
from pydantic import ValidationError

from core.candidates.profile import Profile, e164, load_profile_file, merge
from core.candidates.resume import ResumeError, parse_resume
from core.candidates.store import save_candidate
from core.crypto import Cipher
from core.db import Database
from core.errors import NotFound, TalvixError
from core.models import NewTask
from core.queue import insert_task
from core.storage import Storage, StoredFile, record_artifact, safe_name


@dataclass
class Added:
    candidate_id: int
    created: bool
    resume_path: str
    parsed_path: str
    score_task_id: int
    profile: dict[str, Any]


def score_task(candidate_id: int, resume_sha256: str) -> NewTask:
    """The follow-on ``score`` for a candidate's resume version (one per candidate and resume)."""
    return NewTask(agent="score", payload={"candidate_id": candidate_id},
                   key=f"score:candidate:{candidate_id}:{resume_sha256}", candidate_id=candidate_id)


def store_resume(storage: Storage, path: Path) -> StoredFile:
    """Copy the original resume under ``parsed-resumes/originals/`` (content-addressed: same file, same name)."""
    data = path.read_bytes()
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower() if path.suffix.lower() in (".pdf", ".docx", ".txt", ".md", ".markdown") else ".bin"
    return storage.write("parsed-resumes", "originals", f"{sha[:16]}{suffix}", data=data)


def store_parsed(storage: Storage, parsed: dict[str, Any]) -> StoredFile:
    sha = (parsed.get("resume") or {}).get("sha256") or "unknown"
    return storage.write("parsed-resumes", f"{sha[:16]}.json",
                         data=json.dumps(parsed, indent=2, sort_keys=True, ensure_ascii=False))


def merged_profile(parsed: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The parsed resume with the profile file on top (the file wins), validated as a Profile."""
    profile = merge(parsed, overrides)
    if profile.get("to_confirm"):
        # what the operator wrote in the profile file is confirmed: it no longer waits for a person
        given = {k for k, v in (overrides.get("identity") or {}).items() if v}
        said = {"name"} if given & {"first_name", "last_name"} else set()
        said |= {k for k in ("email", "phone", "location") if k in given}
        said |= {k for k in ("experience", "education", "skills") if overrides.get(k)}
        profile["to_confirm"] = [k for k in profile["to_confirm"] if k not in said]
    ident = dict(profile.get("identity") or {})
    if ident.get("phone"):
        ident["phone"] = e164(str(ident["phone"])) or ident["phone"]
        profile["identity"] = ident
    try:
        Profile.model_validate(profile)
    except Exception as exc:  # pydantic ValidationError: say which field
        errs: list[Any] = list(exc.errors()) if isinstance(exc, ValidationError) else [{}]
        where = ".".join(str(x) for x in (errs[0].get("loc") or ())) if errs else ""
        raise TalvixError(f"the merged profile is invalid at '{where}': {errs[0].get('msg') if errs else exc}") from None
    return profile


def add_candidate(db: Database, storage: Storage, cipher: Cipher, resume: str | Path,
                  profile_file: str | Path | None = None) -> Added:
    """Parse, store and save a candidate; enqueue ``score``. Raises ResumeError/TalvixError, changing nothing."""
    resume = Path(resume)
    parsed = parse_resume(resume)
    overrides = load_profile_file(profile_file) if profile_file else None
    sha = parsed["resume"]["sha256"]
    profile = merged_profile(parsed, overrides or {})
    email = (profile.get("identity") or {}).get("email")
    if not email:
        raise TalvixError(f"no email address found in {resume.name}; put it in a profile file "
                          "([identity] email = ...) and pass --profile FILE")
    from core.candidates.store import find_candidate_by_email

    existing = find_candidate_by_email(db, cipher, email)
    if overrides is None and existing is not None:
        overrides = load_overrides(db, cipher, existing) or {}
        profile = merged_profile(parsed, overrides)
    stored = store_resume(storage, resume)
    parsed_file = store_parsed(storage, parsed)
    with db.transaction() as conn:
        cid, created = save_candidate(db, cipher, profile, resume_path=stored.relpath, resume_sha256=sha, conn=conn)
        if overrides is not None:
            save_overrides(conn, cipher, cid, overrides)
        record_artifact(conn, "resume", stored, mime=mimetypes.guess_type(stored.relpath)[0], candidate_id=cid,
                        meta={"original_name": safe_name(resume.name)})
        record_artifact(conn, "parsed_resume", parsed_file, mime="application/json", candidate_id=cid,
                        meta={"parser": parsed["resume"]["parser"], "confidence": parsed.get("confidence")})
        task, _ = insert_task(conn, score_task(cid, sha))
    return Added(cid, created, stored.relpath, parsed_file.relpath, task.id, profile)


# ------------------------------------------------------------------------------------------------
# The stored profile file
# ------------------------------------------------------------------------------------------------
def save_overrides(conn: Any, cipher: Cipher, candidate_id: int, overrides: dict[str, Any]) -> None:
    conn.execute("UPDATE candidates SET profile_file_enc = %s, updated_at = now() WHERE id = %s",
                 (cipher.encrypt(json.dumps(overrides, sort_keys=True, default=str), context=b"profile_file"),
                  candidate_id))


def load_overrides(db: Database, cipher: Cipher, candidate_id: int) -> dict[str, Any] | None:
    row = db.one("SELECT profile_file_enc FROM candidates WHERE id = %s", (candidate_id,))
    if row is None or row["profile_file_enc"] is None:
        return None
    return json.loads(cipher.decrypt(row["profile_file_enc"], context=b"profile_file") or "{}")


# ------------------------------------------------------------------------------------------------
# Re-parsing a stored resume (the resume_parse agent)
# ------------------------------------------------------------------------------------------------
def candidate_resume(db: Database, candidate_id: int) -> dict[str, Any]:
    row = db.one("SELECT id, resume_path, resume_sha256 FROM candidates WHERE id = %s", (candidate_id,))
    if row is None:
        raise NotFound(f"no candidate with id {candidate_id}")
    return row


def update_profile(conn: Any, cipher: Cipher, candidate_id: int, profile: dict[str, Any],
                   resume_sha256: str | None) -> None:
    """Replace a candidate's profile (email/phone encrypted; an absent email keeps the stored one)."""
    clean = {**profile, "identity": dict(profile.get("identity") or {})}
    email = clean["identity"].pop("email", None)
    phone = clean["identity"].pop("phone", None)
    ident = clean["identity"]
    full_name = " ".join(p for p in (ident.get("first_name"), ident.get("last_name")) if p)
    if email:
        other = conn.execute("SELECT id FROM candidates WHERE email_hash = %s AND id <> %s",
                             (cipher.lookup_hash(email), candidate_id)).fetchone()
        if other is not None:
            raise ResumeError(f"the resume's email belongs to candidate {other['id']}; "
                              "merge or fix the candidates, then retry")
    conn.execute(
        """UPDATE candidates SET profile = %(profile)s,
                  full_name = COALESCE(NULLIF(%(name)s, ''), full_name),
                  location = COALESCE(%(location)s, location),
                  email_enc = COALESCE(%(email_enc)s, email_enc), email_hash = COALESCE(%(email_hash)s, email_hash),
                  phone_enc = COALESCE(%(phone_enc)s, phone_enc),
                  resume_sha256 = COALESCE(%(sha)s, resume_sha256), updated_at = now()
            WHERE id = %(id)s""",
        {"profile": Jsonb(clean), "name": full_name, "location": ident.get("location"),
         "email_enc": cipher.encrypt(email, context=b"email") if email else None,
         "email_hash": cipher.lookup_hash(email) if email else None,
         "phone_enc": cipher.encrypt(phone, context=b"phone") if phone else None,
         "sha": resume_sha256, "id": candidate_id},
    )
