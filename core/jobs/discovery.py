"""Discovery: read a source's board, sync its jobs into ``jobs`` (new, changed, closed), site pauses, reports."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from core import queue
from core.errors import TalvixError
from core.jobs.sources import (
    SourceBlocked,
    SourceSpec,
    make_client,
    parse_source,
    source_module,
)
from core.jobs.store import canonical_url, close_missing_jobs, upsert_job
from core.models import NewTask, Task

if TYPE_CHECKING:
    from core.config import Settings
    from core.db import Database


class SourcePaused(TalvixError):
    """The source's host is paused (after a 429/403, or by an operator) until ``remaining_s`` from now."""

    def __init__(self, message: str, remaining_s: float | None) -> None:
        super().__init__(message)
        self.remaining_s = remaining_s


@dataclass
class DiscoveryReport:
    source: str
    site: str
    listed: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    closed: int = 0
    merged: int = 0  # postings already known under another source's key (left as that source has them)
    job_ids: list[int] = field(default_factory=list)
    follow_ons: list[NewTask] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"source": self.source, "site": self.site, "listed": self.listed, "new": self.new,
                "changed": self.changed, "unchanged": self.unchanged, "closed": self.closed, "merged": self.merged,
                "jd_parse_queued": len(self.follow_ons), "job_ids": self.job_ids}


def base_url_for(spec: SourceSpec, settings: Settings, override: str | None = None) -> str | None:
    """The host to read: ``--base-url``/payload first, then ``[discovery]`` in talvix.toml."""
    if override:
        return override
    d = settings.discovery
    return {"greenhouse": d.greenhouse_base_url, "lever": d.lever_base_url, "lever-eu": d.lever_eu_base_url,
            "ashby": d.ashby_base_url}.get(spec.kind)


def site_for(spec: SourceSpec, base_url: str | None) -> str:
    """The ``sites`` row a 429/403 pauses: the API host (its rate limits are per host, not per board)."""
    if spec.kind == "jobspy":
        return "jobspy"
    url = base_url or spec.value
    return urlsplit(url).netloc.lower() or url


# ------------------------------------------------------------------------------------------------
# Sites: pauses with a visible reason
# ------------------------------------------------------------------------------------------------
def site_pause(db: Database, site: str) -> dict[str, Any] | None:
    """The pause in force on ``site`` (reason, seconds remaining; None remaining = until resumed), else None."""
    return db.one(
        """SELECT site, pause_reason, paused_until,
                  EXTRACT(EPOCH FROM (paused_until - now()))::float8 AS remaining_s
             FROM sites WHERE site = %s AND paused AND (paused_until IS NULL OR paused_until > now())""",
        (site,),
    )


def pause_site(db: Database, site: str, reason: str, seconds: float, *, source: str,
               task: Task | None = None) -> None:
    """Pause ``site`` for ``seconds`` with ``reason``, and say so in a warning event the console shows."""
    with db.transaction() as conn:
        conn.execute(
            """INSERT INTO sites (site, paused, paused_until, pause_reason, updated_at)
               VALUES (%(site)s, true, now() + make_interval(secs => %(s)s), %(reason)s, now())
               ON CONFLICT (site) DO UPDATE SET paused = true, paused_until = EXCLUDED.paused_until,
                   pause_reason = EXCLUDED.pause_reason, updated_at = now()""",
            {"site": site, "s": float(seconds), "reason": reason},
        )
        queue.add_event(conn, f"source {source} paused: {reason}", level="warning", kind="site", agent="discover",
                        task_id=task.id if task else None,
                        data={"site": site, "source": source, "pause_seconds": round(seconds, 1)})


def _clear_expired_pause(conn: Any, site: str) -> None:
    conn.execute("""UPDATE sites SET paused = false, pause_reason = NULL, paused_until = NULL, updated_at = now()
                     WHERE site = %s AND paused AND paused_until IS NOT NULL AND paused_until <= now()""", (site,))


# ------------------------------------------------------------------------------------------------
# Syncing a listing into the jobs table
# ------------------------------------------------------------------------------------------------
def _known(conn: Any, keys: list[str]) -> dict[str, str | None]:
    rows = conn.execute("SELECT canonical_key, description_sha256 FROM jobs WHERE canonical_key = ANY(%s)",
                        (keys,)).fetchall()
    return {r["canonical_key"]: r["description_sha256"] for r in rows}


def _known_elsewhere(conn: Any, key: str, job: dict[str, Any]) -> int | None:
    """The id of a job another source already holds under one of this posting's URLs, else None."""
    urls = [canonical_url(u) for u in (job.get("url"), job.get("apply_url")) if u]
    if not urls:
        return None
    row = conn.execute("""SELECT j.id FROM job_urls u JOIN jobs j ON j.id = u.job_id
                           WHERE u.url = ANY(%s) AND j.canonical_key <> %s LIMIT 1""", (urls, key)).fetchone()
    return int(row["id"]) if row else None


def _unparsed(conn: Any, ids: list[int]) -> list[dict[str, Any]]:
    return conn.execute("SELECT id, description_sha256 FROM jobs WHERE id = ANY(%s) AND parsed IS NULL ORDER BY id",
                        (ids,)).fetchall()


def key_prefix(spec: SourceSpec) -> str | None:
    """Canonical-key prefix of everything this source lists (None: the source is a search, close nothing)."""
    if spec.kind == "jobspy":
        return None
    if spec.kind == "rss":
        from core.jobs.sources.rss import key_prefix as rss_prefix

        return rss_prefix(spec.value)
    return f"{spec.key_kind}:{spec.value.lower()}:"


def sync_jobs(conn: Any, spec: SourceSpec, site: str, jobs: list[dict[str, Any]]) -> DiscoveryReport:
    """Upsert ``jobs``, close the source's jobs it no longer lists, and name the jd_parse follow-ons.

    Syncs take turns (a transaction-level advisory lock): two sources listing the same posting, read at
    the same time, would otherwise both miss the other's uncommitted row and store the posting twice.
    Only the database writes are serialised; fetching the listing happens before, in parallel.
    """
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('talvix-discover'), hashtext('sync'))")
    report = DiscoveryReport(source=spec.name, site=site)
    unique: dict[str, dict[str, Any]] = {}
    for job in jobs:
        unique.setdefault(job["canonical_key"], job)
    report.listed = len(unique)
    before = _known(conn, list(unique))
    ids: list[int] = []
    for key, job in unique.items():
        if key not in before:
            other = _known_elsewhere(conn, key, job)
            if other is not None:
                # One posting, one job: the source that first listed it (usually the ATS) keeps it, so an
                # aggregator's shorter copy never overwrites it back and forth.
                report.merged += 1
                continue
        job_id, created = upsert_job(conn, job)
        ids.append(job_id)
        sha = hashlib.sha256((job.get("description") or "").encode()).hexdigest()
        if created:
            report.new += 1
        elif key in before and before[key] != sha:
            report.changed += 1
        else:
            report.unchanged += 1
    prefix = key_prefix(spec)
    if prefix is not None:
        report.closed = close_missing_jobs(conn, prefix, list(unique))
    _clear_expired_pause(conn, site)
    report.job_ids = ids
    for row in _unparsed(conn, ids):
        sha = row["description_sha256"] or ""
        report.follow_ons.append(NewTask("jd_parse", {"job_id": row["id"]}, key=f"jd_parse:job:{row['id']}:{sha[:16]}",
                                         job_id=row["id"]))
    return report


def discover(db: Database, settings: Settings, source: str, *, base_url: str | None = None,
             transport: httpx.BaseTransport | None = None, task: Task | None = None,
             enqueue_follow_ons: bool = True) -> DiscoveryReport:
    """Read ``source`` and sync it. With ``task`` the writes are lease-fenced and the follow-ons are left
    to the runner (committed with the completion); without, they are enqueued in the same transaction.

    Raises :class:`SourcePaused`, :class:`SourceNotFound`, :class:`SourceBlocked` or :class:`SourceError`.
    """
    spec = parse_source(source)
    url = base_url_for(spec, settings, base_url)
    site = site_for(spec, url)
    pause = site_pause(db, site)
    if pause is not None:
        until = f" until {pause['paused_until']:%Y-%m-%d %H:%M %Z}" if pause["paused_until"] else ""
        raise SourcePaused(f"source {spec.name} is paused{until}: {pause['pause_reason'] or 'paused by an operator'}",
                           pause["remaining_s"])
    module = source_module(spec)
    with make_client(settings.discovery, transport) as client:
        try:
            jobs = module.fetch(client, spec.value, url, settings.discovery)
        except SourceBlocked as exc:
            seconds = exc.retry_after_s if exc.retry_after_s is not None else settings.discovery.pause_minutes * 60
            pause_site(db, site, str(exc), seconds, source=spec.name, task=task)
            raise
    with db.transaction() as conn:
        if task is not None:
            queue.assert_lease(conn, task)
        report = sync_jobs(conn, spec, site, jobs)
        if enqueue_follow_ons:
            for new in report.follow_ons:
                queue.insert_task(conn, new)
        queue.add_event(conn, f"discovered {report.listed} jobs from {spec.name}: {report.new} new, "
                              f"{report.changed} changed, {report.closed} closed", agent="discover",
                        task_id=task.id if task else None, data=report.as_json() | {"job_ids": None})
    return report
