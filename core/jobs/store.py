"""The ``jobs`` table: canonical URLs, the site of a URL, upserting a board's job, closing the jobs a board no
longer lists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from psycopg.types.json import Jsonb

from core.db import Database, like_escape
from core.errors import NotFound, TalvixError


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
        (like_escape(source_prefix) + "%", seen_keys),
    ).fetchall()
    return len(rows)


def get_job(db: Database, job_id: int) -> dict[str, Any]:
    row = db.one("SELECT * FROM jobs WHERE id = %s", (job_id,))
    if row is None:
        raise NotFound(f"no job with id {job_id}")
    return row


def list_jobs(db: Database, *, status: str = "all", source: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The newest jobs, optionally only one status or sources under a prefix (``greenhouse:acme``)."""
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if status != "all":
        where.append("status = %s")
        params.append(status)
    if source:
        where.append("source LIKE %s")
        params.append(like_escape(source) + "%")
    params.append(limit)
    return db.execute(
        f"""SELECT id, source, company, title, location, url, apply_url, ats, status, workplace, canonical_key,
                   posted_at, first_seen_at, closed_at, parsed IS NOT NULL AS parsed
              FROM jobs WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT %s""",
        params,
    )


#: What scoring reads of a job. The source's ``raw`` answer only matters to a job jd_parse has not reached
#: (parsed on the fly from it): read for every job, it was two thirds of the time to load 100k open jobs.
_SCORING_COLUMNS = ("id, title, description, location, workplace, salary, "
                    "CASE WHEN parsed IS NULL THEN raw END AS raw, parsed, description_sha256, status, company")

_FINGERPRINT = """SELECT count(*) AS n, COALESCE(sum(scored_hash) % 9223372036854775807, 0)::bigint AS h
                    FROM jobs WHERE status = 'open'"""


def _fingerprint(conn: Any) -> tuple[int, int]:
    row = conn.execute(_FINGERPRINT).fetchone()
    return (int(row["n"]), int(row["h"])) if row else (0, 0)


def open_jobs_fingerprint(db: Database) -> tuple[int, int]:
    """(count, hash) of the open jobs and everything scoring reads of them: equal fingerprints, equal
    indexes. Each job's ``scored_hash`` is computed by Postgres whenever its row is written (migration
    0120), so any change a job can undergo (new, closed, reopened, edited, parsed) changes the sum, and
    the sum is an index-only scan (~10 ms for 100k open jobs)."""
    with db.connection() as conn:
        return _fingerprint(conn)


@contextmanager
def open_jobs_to_score(db: Database, chunk: int = 2_000
                       ) -> Iterator[tuple[tuple[int, int], Iterator[dict[str, Any]]]]:
    """The open jobs' fingerprint (:func:`open_jobs_fingerprint`) and every open job with what scoring reads,
    oldest first, both as of one snapshot (a repeatable-read transaction): an index built from these rows is
    exactly what the fingerprint names, whatever changes meanwhile. The rows are read ``chunk`` at a time
    (a server-side cursor), so the caller keeps what it needs of each and the whole answer is never held
    twice."""
    with db.connection() as conn, conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        fingerprint = _fingerprint(conn)

        def rows() -> Iterator[dict[str, Any]]:
            with conn.cursor(name="talvix_open_jobs") as cur:
                cur.itersize = chunk
                cur.execute(f"SELECT {_SCORING_COLUMNS} FROM jobs WHERE status = 'open' ORDER BY id")
                yield from cur

        yield fingerprint, rows()


def job_and_recent_open(db: Database, job_id: int, others: int) -> list[dict[str, Any]]:
    """The job (refused if unknown; nothing if it is not open), then up to ``others`` recent open jobs."""
    row = db.one(f"SELECT {_SCORING_COLUMNS} FROM jobs WHERE id = %s", (job_id,))
    if row is None:
        raise NotFound(f"no job with id {job_id}")
    if row["status"] != "open":
        return []
    rest = db.execute(f"SELECT {_SCORING_COLUMNS} FROM jobs WHERE status = 'open' AND id <> %s ORDER BY id DESC LIMIT %s",
                      (job_id, others))
    return [row, *rest]


def save_parsed(conn: Any, job_id: int, sha: str | None, parsed: dict[str, Any]) -> bool:
    """Store ``parsed`` unless the description changed meanwhile (a newer parse will follow)."""
    row = conn.execute("""UPDATE jobs SET parsed = %s, updated_at = now()
                           WHERE id = %s AND description_sha256 IS NOT DISTINCT FROM %s RETURNING id""",
                       (Jsonb(parsed), job_id, sha)).fetchone()
    return row is not None
