"""Discovery of the sandbox's feeds: what the pipeline found when the parts were first run together.

Two feeds list the same posting (the company's own feed and an aggregator); discovered at the same time
they must still make one job. RSS 2.0 items name the company as ``email (Name)`` and title the posting
"Role at Company", with the location on the description's first line.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from core.jobs.discovery import discover, sync_jobs
from core.jobs.sources import make_client, parse_source, source_module
from sandbox import SandboxServer
from tests.support.common import wait_for


@pytest.fixture
def sb() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as server:
        yield server


def _feeds(sb: SandboxServer) -> tuple[str, str]:
    company, aggregator = [s["source"] for s in sb.sources() if s["source"].startswith("rss:")]
    return company, aggregator


def _lock_waiters(db) -> int:
    """Sessions of this database waiting for a lock (the second sync waiting for the first)."""
    return db.one("""SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                      WHERE NOT l.granted AND a.datname = current_database()""")["n"]


def test_two_feeds_discovered_at_once_store_a_shared_posting_once(settings, db, sb):
    company, aggregator = _feeds(sb)
    spec = parse_source(company)
    with make_client(settings.discovery) as client:
        listing = source_module(spec).fetch(client, spec.value, None, settings.discovery)
    other: dict[str, object] = {}
    with db.transaction() as conn:
        sync_jobs(conn, spec, "sandbox", listing)  # the company feed's sync, not yet committed
        t = threading.Thread(target=lambda: other.setdefault("report", discover(db, settings, aggregator)))
        t.start()
        # The aggregator's sync waits for ours (on the sync lock, or on a row ours has not committed yet),
        # or has already finished.
        wait_for(lambda: not t.is_alive() or _lock_waiters(db) > 0, timeout=30, message="the second sync")
    t.join(30)
    shared = db.execute("SELECT id, source FROM jobs WHERE url LIKE %s", ("%/careers/saffron/jobs/SA-102",))
    assert [r["source"] for r in shared] == [company]
    assert other["report"].merged == 1


def test_rss_company_title_and_location_come_out_clean(settings, db, sb):
    company, _ = _feeds(sb)
    discover(db, settings, company)
    job = db.one("SELECT * FROM jobs WHERE url LIKE %s", ("%/careers/saffron/jobs/SA-101",))
    assert job["company"] == "Saffron Analytics"  # not "careers@saffron.example (Saffron Analytics)"
    assert job["title"] == "Python Developer"  # not "Python Developer at Saffron Analytics"
    assert job["location"] == "Chennai, Tamil Nadu, India"
