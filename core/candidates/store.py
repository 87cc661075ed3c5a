"""The ``candidates`` table: save a profile (email and phone encrypted), read it back, find and list candidates."""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from core.candidates.profile import Profile
from core.crypto import Cipher
from core.db import Database
from core.errors import NotFound

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


def candidate_proxy(db: Any, cipher: Any, candidate_id: int) -> str | None:
    """A candidate's own proxy URL from their encrypted secrets (``{"proxy_url": ...}``), if any."""
    import json

    row = db.one("SELECT secrets_enc FROM candidates WHERE id = %s", (candidate_id,))
    if not row or not row["secrets_enc"]:
        return None
    text = cipher.decrypt(row["secrets_enc"], context=b"secrets")
    try:
        return (json.loads(text) or {}).get("proxy_url") if text else None
    except ValueError:
        return None


def apply_settings(db: Database, candidate_id: int) -> dict[str, Any] | None:
    """The candidate's stored resume path and apply policy (``None`` for an unknown candidate)."""
    return db.one("SELECT resume_path, apply_policy FROM candidates WHERE id = %s", (candidate_id,))


def other_with_email(db: Database, cipher: Cipher, email: str, candidate_id: int) -> int | None:
    """Another candidate whose email is ``email`` (by its lookup hash), if there is one."""
    row = db.one("SELECT id FROM candidates WHERE email_hash = %s AND id <> %s", (cipher.lookup_hash(email), candidate_id))
    return int(row["id"]) if row else None


def _scoring_profile(row: dict[str, Any]) -> dict[str, Any]:
    profile = dict(row.get("profile") or {})
    ident = dict(profile.get("identity") or {})
    ident.setdefault("location", row.get("location"))
    profile["identity"] = ident
    return profile


def profiles_to_score(db: Database, candidate_id: int | None = None, *, after_id: int = 0,
                      limit: int = 2_000) -> list[tuple[int, dict[str, Any]]]:
    """(id, profile) of one candidate (any status), or a page of active candidates. No PII is read."""
    if candidate_id is not None:
        row = db.one("SELECT id, profile, location, status FROM candidates WHERE id = %s", (candidate_id,))
        if row is None:
            raise NotFound(f"no candidate with id {candidate_id}")
        return [(int(row["id"]), _scoring_profile(row))] if row["status"] == "active" else []
    rows = db.execute("""SELECT id, profile, location FROM candidates WHERE status = 'active' AND id > %s
                          ORDER BY id LIMIT %s""", (after_id, limit))
    return [(int(r["id"]), _scoring_profile(r)) for r in rows]


def exists(conn: Any, candidate_id: int) -> bool:
    """Whether a candidate with this id exists (inside the caller's transaction)."""
    return conn.execute("SELECT 1 FROM candidates WHERE id = %s", (candidate_id,)).fetchone() is not None
