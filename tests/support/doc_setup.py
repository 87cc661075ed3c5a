"""A candidate, a job and an application in the test database, built the way the pipeline builds them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.applications import create_application
from core.candidates.intake import add_candidate
from core.crypto import load_cipher
from core.jobs.store import upsert_job
from core.storage import Storage
from tests.support import resume_samples as rs

# Greenhouse sends job content HTML-escaped inside JSON; by the time it is in jobs.description it may
# still be escaped once.
JOB_DESCRIPTION = (
    "&lt;p&gt;Acme Payments is hiring a backend engineer to scale our ledger.&lt;/p&gt;"
    "&lt;h3&gt;Requirements&lt;/h3&gt;&lt;ul&gt;&lt;li&gt;Strong Go or Python&lt;/li&gt;"
    "&lt;li&gt;PostgreSQL and Kubernetes in production&lt;/li&gt;&lt;li&gt;Kafka&lt;/li&gt;&lt;/ul&gt;"
    "&lt;h3&gt;Nice to have&lt;/h3&gt;&lt;ul&gt;&lt;li&gt;Terraform&lt;/li&gt;&lt;li&gt;Django&lt;/li&gt;&lt;/ul&gt;"
)


def make_application(settings: Any, db: Any, tmp_path: Path, *, parsed: dict[str, Any] | None = None,
                     title: str = "Senior Backend Engineer", company: str = "Acme Payments",
                     profile_toml: str | None = None, status: str = "matched") -> tuple[int, int, int]:
    """(application_id, candidate_id, job_id) for Priya's resume and an Acme job."""
    storage = Storage(settings.storage_path)
    storage.ensure()
    prof = None
    if profile_toml is not None:
        prof = tmp_path / "profile.toml"
        prof.write_text(profile_toml)
    cid = add_candidate(db, storage, load_cipher(settings), rs.write_text(tmp_path), prof).candidate_id
    with db.transaction() as conn:
        jid, _ = upsert_job(conn, {"canonical_key": "greenhouse:acme:1001", "source": "greenhouse", "company": company,
                                   "title": title, "location": "Bengaluru", "url": "https://boards.example/acme/1001",
                                   "description": JOB_DESCRIPTION})
        if parsed is not None:
            from psycopg.types.json import Jsonb

            conn.execute("UPDATE jobs SET parsed = %s WHERE id = %s", (Jsonb(parsed), jid))
        aid, _ = create_application(conn, cid, jid, status=status, score=81.0, decision="apply")
    return aid, cid, jid
