"""Candidates, jobs and applications: the small named queries every part of Talvix shares.

Personal data (email, phone, stored credentials) is encrypted before it reaches the database; the
profile JSON stored in clear has those fields removed and they are put back on read.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from psycopg.types.json import Jsonb

from core.crypto import Cipher
from core.db import Database
from core.errors import NotFound, TalvixError
from core.profile import Profile

_PII_KEYS = ("email", "phone")


# ------------------------------------------------------------------------------------------------
# Candidates
# ------------------------------------------------------------------------------------------------
def _split_pii(profile: dict[str, Any]) -> tuple[dict[str, Any], str | None, str | None]:
    clean = {**profile, "identity": dict(profile.get("identity") or {})}
    email = clean["identity"].pop("email", None)
    phone = clean["identity"].pop("phone", None)
    return clean, email, phone


def save_candidate(db: Database, cipher: Cipher, profile: dict[str, Any], *, resume_path: str | None = None,
                   resume_sha256: str | None = None, apply_policy: str | None = None,
                   secrets: dict[str, Any] | None = None, conn: Any = None) -> tuple[int, bool]:
    """Insert a candidate, or update the one with the same email. Returns (id, created)."""
    Profile.model_validate(profile)
    clean, email, phone = _split_pii(profile)
    ident = clean["identity"]
    full_name = " ".join(p for p in (ident.get("first_name"), ident.get("last_name")) if p) or clean.get("name") or ""
    params = {
        "full_name": full_name,
        "email_enc": cipher.encrypt(email, context=b"email"),
        "email_hash": cipher.lookup_hash(email) if email else None,
        "phone_enc": cipher.encrypt(phone, context=b"phone"),
        "secrets_enc": cipher.encrypt(_json(secrets), context=b"secrets") if secrets else None,
        "location": ident.get("location"),
        "profile": Jsonb(clean),
        "resume_path": resume_path,
        "resume_sha256": resume_sha256,
        "policy": apply_policy or profile.get("apply_policy") or "when_uncertain",
    }
    sql = """
        INSERT INTO candidates (full_name, email_enc, email_hash, phone_enc, secrets_enc, location, profile,
                                resume_path, resume_sha256, apply_policy)
        VALUES (%(full_name)s, %(email_enc)s, %(email_hash)s, %(phone_enc)s, %(secrets_enc)s, %(location)s,
                %(profile)s, %(resume_path)s, %(resume_sha256)s, %(policy)s)
        ON CONFLICT (email_hash) DO UPDATE SET
            full_name = EXCLUDED.full_name, phone_enc = COALESCE(EXCLUDED.phone_enc, candidates.phone_enc),
            secrets_enc = COALESCE(EXCLUDED.secrets_enc, candidates.secrets_enc),
            location = EXCLUDED.location, profile = EXCLUDED.profile,
            resume_path = COALESCE(EXCLUDED.resume_path, candidates.resume_path),
            resume_sha256 = COALESCE(EXCLUDED.resume_sha256, candidates.resume_sha256),
            apply_policy = EXCLUDED.apply_policy, updated_at = now()
        RETURNING id, (xmax = 0) AS created
    """
    if conn is not None:
        row = conn.execute(sql, params).fetchone()
    else:
        row = db.one(sql, params)
    assert row is not None
    return int(row["id"]), bool(row["created"])


def _json(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)


def candidate_profile(db: Database, cipher: Cipher, candidate_id: int) -> dict[str, Any]:
    """The candidate's full profile with email and phone decrypted (never log or display it whole)."""
    row = db.one("SELECT * FROM candidates WHERE id = %s", (candidate_id,))
    if row is None:
        raise NotFound(f"no candidate with id {candidate_id}")
    profile = dict(row["profile"] or {})
    ident = dict(profile.get("identity") or {})
    ident["email"] = cipher.decrypt(row["email_enc"], context=b"email")
    ident["phone"] = cipher.decrypt(row["phone_enc"], context=b"phone")
    profile["identity"] = ident
    profile.setdefault("apply_policy", row["apply_policy"])
    return profile


def find_candidate_by_email(db: Database, cipher: Cipher, email: str) -> int | None:
    row = db.one("SELECT id FROM candidates WHERE email_hash = %s", (cipher.lookup_hash(email),))
    return int(row["id"]) if row else None


def list_candidates(db: Database, *, limit: int = 100, after_id: int = 0) -> list[dict[str, Any]]:
    return db.execute(
        """SELECT id, full_name, location, status, apply_policy, created_at,
                  profile -> 'skills' AS skills, profile -> 'work' -> 'years_experience' AS years_experience
             FROM candidates WHERE id > %s ORDER BY id LIMIT %s""",
        (after_id, limit),
    )


# ------------------------------------------------------------------------------------------------
# Jobs
# ------------------------------------------------------------------------------------------------
def canonical_url(url: str) -> str:
    """A URL without fragment, tracking query or trailing slash, lower-cased host: one posting, one key."""
    parts = urlsplit(url.strip())
    query = "&".join(q for q in parts.query.split("&") if q and not q.lower().startswith(("utm_", "gh_src", "source=", "ref=", "lever-source")))
    path = parts.path.rstrip("/") or "/"
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}" + (f"?{query}" if query else "")


def site_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).netloc.lower()
    return host or None


def upsert_job(conn: Any, job: dict[str, Any]) -> tuple[int, bool]:
    """Insert or refresh a job by ``canonical_key`` (also recording its URLs). Returns (id, created).

    ``job`` keys: canonical_key, source, company, title, location, workplace, url, apply_url, ats,
    description, salary, raw, posted_at. A job already known under one of its URLs is the same job.
    """
    key = job.get("canonical_key")
    if not key:
        raise TalvixError("a job needs a canonical_key (e.g. greenhouse:<board>:<id>)")
    urls = [canonical_url(u) for u in (job.get("url"), job.get("apply_url")) if u]
    if urls:
        known = conn.execute("SELECT job_id FROM job_urls WHERE url = ANY(%s) LIMIT 1", (urls,)).fetchone()
        if known is not None:
            existing = conn.execute("SELECT canonical_key FROM jobs WHERE id = %s", (known["job_id"],)).fetchone()
            if existing is not None:
                key = existing["canonical_key"]
    desc = job.get("description") or ""
    row = conn.execute(
        """INSERT INTO jobs (canonical_key, source, company, title, location, workplace, url, apply_url, ats, site,
                             description, description_sha256, salary, raw, posted_at, status, last_seen_at)
           VALUES (%(key)s, %(source)s, %(company)s, %(title)s, %(location)s, %(workplace)s, %(url)s, %(apply_url)s,
                   %(ats)s, %(site)s, %(description)s, %(dsha)s, %(salary)s, %(raw)s, %(posted_at)s, 'open', now())
           ON CONFLICT (canonical_key) DO UPDATE SET
               company = EXCLUDED.company, title = EXCLUDED.title, location = EXCLUDED.location,
               workplace = COALESCE(EXCLUDED.workplace, jobs.workplace), url = COALESCE(EXCLUDED.url, jobs.url),
               apply_url = COALESCE(EXCLUDED.apply_url, jobs.apply_url), ats = COALESCE(EXCLUDED.ats, jobs.ats),
               site = COALESCE(EXCLUDED.site, jobs.site), description = EXCLUDED.description,
               description_sha256 = EXCLUDED.description_sha256, salary = COALESCE(EXCLUDED.salary, jobs.salary),
               raw = EXCLUDED.raw, posted_at = COALESCE(EXCLUDED.posted_at, jobs.posted_at),
               status = 'open', closed_at = NULL, last_seen_at = now(),
               parsed = CASE WHEN jobs.description_sha256 IS DISTINCT FROM EXCLUDED.description_sha256
                             THEN NULL ELSE jobs.parsed END,
               updated_at = now()
           RETURNING id, (xmax = 0) AS created""",
        {
            "key": key, "source": job.get("source") or key.split(":", 1)[0], "company": job.get("company") or "",
            "title": job.get("title") or "", "location": job.get("location") or "", "workplace": job.get("workplace"),
            "url": job.get("url"), "apply_url": job.get("apply_url"), "ats": job.get("ats"),
            "site": job.get("site") or site_of(job.get("apply_url") or job.get("url")),
            "description": desc, "dsha": hashlib.sha256(desc.encode()).hexdigest(),
            "salary": Jsonb(job["salary"]) if job.get("salary") is not None else None,
            "raw": Jsonb(job["raw"]) if job.get("raw") is not None else None,
            "posted_at": job.get("posted_at") if isinstance(job.get("posted_at"), (datetime, type(None))) else None,
        },
    ).fetchone()
    job_id = int(row["id"])
    for u in urls:
        conn.execute("INSERT INTO job_urls (url, job_id) VALUES (%s, %s) ON CONFLICT (url) DO NOTHING", (u, job_id))
    return job_id, bool(row["created"])


def close_missing_jobs(conn: Any, source_prefix: str, seen_keys: list[str]) -> int:
    """Close (never delete) open jobs of a source that the latest listing no longer contains."""
    rows = conn.execute(
        """UPDATE jobs SET status = 'closed', closed_at = now(), updated_at = now()
            WHERE status = 'open' AND canonical_key LIKE %s AND NOT (canonical_key = ANY(%s)) RETURNING id""",
        (source_prefix.replace("%", r"\%").replace("_", r"\_") + "%", seen_keys),
    ).fetchall()
    return len(rows)


def get_job(db: Database, job_id: int) -> dict[str, Any]:
    row = db.one("SELECT * FROM jobs WHERE id = %s", (job_id,))
    if row is None:
        raise NotFound(f"no job with id {job_id}")
    return row


# ------------------------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------------------------
def create_application(conn: Any, candidate_id: int, job_id: int, *, status: str = "matched",
                       score: float | None = None, breakdown: dict[str, Any] | None = None,
                       decision: str | None = None) -> tuple[int, bool]:
    """The application of a candidate to a job; unique per (candidate, job). Returns (id, created)."""
    row = conn.execute(
        """INSERT INTO applications (candidate_id, job_id, status, score, score_breakdown, decision)
           VALUES (%s, %s, %s, %s, %s, %s)
           ON CONFLICT (candidate_id, job_id) DO NOTHING RETURNING id""",
        (candidate_id, job_id, status, score, Jsonb(breakdown) if breakdown is not None else None, decision),
    ).fetchone()
    if row is not None:
        return int(row["id"]), True
    row = conn.execute("SELECT id FROM applications WHERE candidate_id = %s AND job_id = %s",
                       (candidate_id, job_id)).fetchone()
    return int(row["id"]), False


def set_application_status(conn: Any, application_id: int, status: str, reason: str | None = None) -> None:
    conn.execute(
        "UPDATE applications SET status = %s, reason = COALESCE(%s, reason), updated_at = now() WHERE id = %s",
        (status, reason, application_id),
    )


def get_application(db: Database, application_id: int) -> dict[str, Any]:
    row = db.one("SELECT * FROM applications WHERE id = %s", (application_id,))
    if row is None:
        raise NotFound(f"no application with id {application_id}")
    return row
