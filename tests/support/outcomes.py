"""Candidates, jobs and submitted applications with score breakdowns, written straight to the test
database in the shapes the pipeline writes them (for the outcomes, follow-up and calibration tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from psycopg.types.json import Jsonb

from core.crypto import Cipher
from core.outcomes.calibration import FEATURES
from core.outcomes.synthetic import DEFAULT_WEIGHTS


def business_days_ago(n: int) -> datetime:
    """A submission time exactly ``n`` business days before today (in Asia/Kolkata, at noon)."""
    tz = ZoneInfo("Asia/Kolkata")
    d = datetime.now(tz).date()
    while n > 0:
        d -= timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return datetime(d.year, d.month, d.day, 12, 0, tzinfo=tz).astimezone(UTC)


def add_candidate(conn: Any, cipher: Cipher, name: str, email: str, *, policy: str = "when_uncertain") -> int:
    row = conn.execute("""INSERT INTO candidates (full_name, email_enc, email_hash, apply_policy, profile)
                          VALUES (%s, %s, %s, %s, '{}'::jsonb) RETURNING id""",
                       (name, cipher.encrypt(email, context=b"email"), cipher.lookup_hash(email), policy)).fetchone()
    return int(row["id"])


def add_job(conn: Any, key: str, company: str, title: str, url: str, *, ats: str | None = None,
            raw: dict[str, Any] | None = None) -> int:
    row = conn.execute("""INSERT INTO jobs (canonical_key, source, company, title, url, apply_url, ats, site, raw)
                          VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
                       (key, ats or "company", company, title, url, url, ats, url.split("/")[2],
                        Jsonb(raw) if raw else None)).fetchone()
    return int(row["id"])


def breakdown(x: Any, weights: Any = DEFAULT_WEIGHTS) -> dict[str, Any]:
    """A score breakdown as ScoreResult.breakdown stores it (components with score and weight)."""
    return {"score": round(float(100 * np.dot(x, weights)), 1), "decision": "apply",
            "components": {f: {"score": round(float(v), 4), "weight": float(w)} for f, v, w in zip(FEATURES, x, weights)}}


def add_application(conn: Any, candidate_id: int, job_id: int, *, status: str = "submitted",
                    submitted_at: datetime | None = None, x: Any = None) -> int:
    bd = breakdown(x if x is not None else [0.8, 0.5, 1.0, 1.0, 0.75])
    row = conn.execute("""INSERT INTO applications (candidate_id, job_id, status, score, score_breakdown, decision,
                                                    submitted_at)
                          VALUES (%s, %s, %s, %s, %s, 'apply', %s) RETURNING id""",
                       (candidate_id, job_id, status, bd["score"], Jsonb(bd), submitted_at)).fetchone()
    return int(row["id"])


def seed_outcomes(db, cipher, data, *, status: str = "confirmed") -> list[int]:
    """One submitted application per synthetic row, with its components, and its outcome."""
    ids = []
    with db.transaction() as conn:
        cid = add_candidate(conn, cipher, "Synthetic", f"synthetic{len(data)}{status}@example.in")
        for i in range(len(data)):
            jid = add_job(conn, f"synthetic:{status}:{i}", f"Company {i}", "Engineer", f"https://c{i}.example/jobs/1")
            aid = add_application(conn, cid, jid, submitted_at=datetime.now(UTC) - timedelta(days=20),
                                  x=data.x[i])
            kind = "interview" if data.y[i] else "rejected"
            conn.execute("INSERT INTO outcomes (application_id, kind, source, status) VALUES (%s, %s, 'test', %s)",
                         (aid, kind, status))
            ids.append(aid)
    return ids
