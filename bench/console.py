"""Console benchmark: how the Textual console copes with a big queue.

Loads N tasks and N events (generate_series, seconds) into a fresh database on the embedded Postgres
(or ``--database-url``), then measures with the real app under ``run_test``:

* first paint: app start until the queue view has shown its first window of tasks;
* filter: ``agent:apply status:failed`` applied until the filtered window is shown;
* refresh latency: one live refresh of the queue view, measured inside the app from the refresh request
  to the table updated (page query in the fetch lane's thread + hand-off + keyed table update); the page
  query runs on every refresh. ``refresh_ms``: nothing changed in between (a poll, or a NOTIFY about
  rows outside the window); ``refresh_changed_ms``: one task of the window was updated before each
  refresh (through another connection, outside the timing), so its cells are rebuilt and redrawn.
  The event loop is left idle while a refresh runs, as in a terminal session; ``refresh_pilot_ms`` is
  the same refresh while the harness polls with ``pilot.pause`` (how figures before 2026-11 were taken);
* raw SQL: the same page query through psycopg alone (the floor); ``raw_sql_changed_ms`` the same query
  with one task of the page updated before each round, the floor for ``refresh_changed_ms``;
* peak memory of this process (the console; Postgres is another process).

Last line: one JSON object with those figures, ``raw_over_console`` (raw SQL / console refresh),
``raw_over_console_changed`` (raw SQL / changed-row refresh) and ``raw_changed_over_console_changed``
(the changed floor / changed-row refresh, like for like).
``--quick``: 200k tasks and 200k events (under 3 minutes); default: 1M of each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
# bench/ holds a queue.py: keep that folder off sys.path so the standard library's `queue` wins.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from core.browse import filters, pages
from core.config import load_settings  # noqa: E402
from core.db import Database, ensure_embedded, migrate, stop_embedded  # noqa: E402

AGENTS = "ARRAY['apply','score','jd_parse','tailor','cover_letter','discover']"
STATES = "ARRAY['queued','succeeded','succeeded','failed','dead','running','succeeded','cancelled']"


def load(db: Database, n_tasks: int, n_events: int) -> float:
    t0 = time.perf_counter()
    with db.connection() as conn:
        conn.execute(f"""
            INSERT INTO tasks (agent, payload, status, attempts, site, last_error, created_at, updated_at, run_at)
            SELECT ({AGENTS})[1 + i % 7 % 6], jsonb_build_object('n', i), ({STATES})[1 + i % 8], i % 3,
                   (ARRAY['boards.greenhouse.io','jobs.lever.co','jobs.ashbyhq.com', NULL])[1 + i % 4],
                   CASE WHEN i % 8 IN (3, 4) THEN (ARRAY['TimeoutError: page load', 'HTTP 403', 'ValueError: x'])[1 + i % 3] END,
                   now() - make_interval(secs => ({n_tasks} - i)), now() - make_interval(secs => ({n_tasks} - i)),
                   now() - make_interval(secs => ({n_tasks} - i))
              FROM generate_series(1, {n_tasks}) AS i""")
        conn.execute(f"""
            INSERT INTO events (ts, level, kind, agent, task_id, message)
            SELECT now() - make_interval(secs => ({n_events} - i)),
                   (ARRAY['info','info','info','warning','error','debug'])[1 + i % 6], 'log',
                   ({AGENTS})[1 + i % 6], 1 + (i % {n_tasks}), 'event number ' || i
              FROM generate_series(1, {n_events}) AS i""")
        conn.execute("ANALYZE tasks")
        conn.execute("ANALYZE events")
    return time.perf_counter() - t0


def raw_page_ms(url: str, flt_text: str, limit: int, rounds: int, touch: bool = False) -> float:
    """The same page query the console runs, straight through psycopg (median ms). ``touch``: before each
    round one task of the page is updated through another connection (outside the timing), as before the
    console's changed-row refresh: the floor for that refresh, since the server then reads a new row
    version (and prunes the old one) that an unchanged page does not have."""
    query, params = pages.task_window_query(filters.parse_filter(flt_text, filters.TASK_SPEC), limit=limit)
    times = []
    with psycopg.connect(url, autocommit=True) as conn, psycopg.connect(url, autocommit=True) as other:
        ids = [r[0] for r in conn.execute(query, params).fetchall()]
        for i in range(rounds):
            if touch:
                other.execute("UPDATE tasks SET attempts = attempts + 1, updated_at = now() WHERE id = %s",
                              (ids[i % len(ids)],))
            t0 = time.perf_counter()
            conn.execute(query, params).fetchall()
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


async def measure_console(settings, db: Database, rounds: int) -> dict:
    from tui.app import TalvixApp

    async def until(pilot, pred, timeout=120.0):
        deadline = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > deadline:
                raise RuntimeError("timed out")
            await pilot.pause(0.001)

    async def idle_until(pred, timeout=120.0):
        """Wait leaving the event loop idle, as it is between two refreshes of a real session.
        (``pilot.pause`` queues a message to every widget on each call: main-thread work that holds
        the GIL while the fetch thread waits for it, and that a terminal session never does.)"""
        deadline = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > deadline:
                raise RuntimeError("timed out")
            await asyncio.sleep(0.0005)

    async def refreshes(pilot, n_rounds, before=None, idle=True):
        """Median ms of ``n_rounds`` back-to-back refreshes (the app's own request-to-shown timing),
        back to back like the raw SQL rounds."""
        times = []
        for i in range(n_rounds):
            if before is not None:
                before(i)
            n = view.loads
            app.refresh_now()
            if idle:
                await idle_until(lambda n=n: view.loads > n)
            else:
                await until(pilot, lambda n=n: view.loads > n)
            times.append(view.last_load_ms)
        return statistics.median(times)

    t0 = time.perf_counter()
    app = TalvixApp(settings, db, live=False, start_view="queue", who="bench@console")
    out: dict = {}
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: app.current_mode == "queue" and getattr(app.screen, "loads", 0) > 0)
        await pilot.pause()
        out["first_paint_ms"] = (time.perf_counter() - t0) * 1000
        view = app.screen
        out["rows_shown"] = len(view.table.keys)

        out["refresh_ms"] = await refreshes(pilot, rounds)
        out["refresh_pilot_ms"] = await refreshes(pilot, rounds, idle=False)

        with psycopg.connect(str(settings.database_url.get_secret_value()), autocommit=True) as conn:
            def touch(i: int) -> None:
                tid = int(view.table.keys[i % len(view.table.keys)])
                conn.execute("UPDATE tasks SET attempts = attempts + 1, updated_at = now() WHERE id = %s", (tid,))

            out["refresh_changed_ms"] = await refreshes(pilot, rounds, before=touch)

        n = view.loads
        t1 = time.perf_counter()
        view.apply_filter_text("agent:apply status:failed")
        await until(pilot, lambda: view.loads > n and not view._loading)
        await pilot.pause()
        out["filter_ms"] = (time.perf_counter() - t1) * 1000
        await until(pilot, lambda: view.total is not None, timeout=30)
        out["filtered_total"] = view.total

        out["filtered_refresh_ms"] = await refreshes(pilot, rounds)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200k tasks and 200k events")
    ap.add_argument("--tasks", type=int)
    ap.add_argument("--events", type=int)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--database-url", help="a server where the benchmark may create a database")
    args = ap.parse_args()
    n_tasks = args.tasks or (200_000 if args.quick else 1_000_000)
    n_events = args.events or (200_000 if args.quick else 1_000_000)

    tmp = Path(tempfile.mkdtemp(prefix="talvix-bench-console-"))
    base = args.database_url or ensure_embedded(tmp / "pg", dbname="postgres")
    name = f"talvix_bench_console_{os.getpid()}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urlsplit(base)
    url = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))
    db = Database(url, min_size=1, max_size=8)
    try:
        migrate(db)
        load_s = load(db, n_tasks, n_events)
        print(f"loaded {n_tasks:,} tasks and {n_events:,} events in {load_s:.1f}s")
        settings = load_settings(data_dir=tmp / "data", database_url=url, encryption_key="A" * 43 + "=")
        figures = asyncio.run(measure_console(settings, db, args.rounds))
        limit = settings.console.page_size
        raw = raw_page_ms(url, "", limit, args.rounds)
        raw_f = raw_page_ms(url, "agent:apply status:failed", limit, args.rounds)
        raw_touched = raw_page_ms(url, "", limit, args.rounds, touch=True)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result = {
            "tasks": n_tasks, "events": n_events, "page_size": limit,
            "first_paint_ms": round(figures["first_paint_ms"], 1),
            "filter_ms": round(figures["filter_ms"], 1),
            "refresh_ms": round(figures["refresh_ms"], 2),
            "refresh_changed_ms": round(figures["refresh_changed_ms"], 2),
            "refresh_pilot_ms": round(figures["refresh_pilot_ms"], 2),
            "filtered_refresh_ms": round(figures["filtered_refresh_ms"], 2),
            "raw_sql_ms": round(raw, 2), "raw_sql_filtered_ms": round(raw_f, 2),
            "raw_sql_changed_ms": round(raw_touched, 2),
            "peak_memory_mb": round(peak_mb, 1),
            "rows_shown": figures["rows_shown"], "filtered_total": figures["filtered_total"],
            "raw_over_console": round(raw / figures["refresh_ms"], 3),
            "raw_over_console_changed": round(raw / figures["refresh_changed_ms"], 3),
            # The changed-row refresh against the same query after the same kind of update (like for like).
            "raw_changed_over_console_changed": round(raw_touched / figures["refresh_changed_ms"], 3),
        }
        print(f"first paint {result['first_paint_ms']} ms; filter {result['filter_ms']} ms; refresh "
              f"{result['refresh_ms']} ms, {result['refresh_changed_ms']} ms with a changed row (raw SQL {result['raw_sql_ms']} ms); peak {result['peak_memory_mb']} MB")
        print(json.dumps(result))
        return 0
    finally:
        db.close()
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not args.database_url:
            stop_embedded(tmp / "pg")
        shutil.rmtree(tmp, ignore_errors=True)  # the embedded server's files: about 1 GB at 1M rows


if __name__ == "__main__":
    sys.exit(main())
