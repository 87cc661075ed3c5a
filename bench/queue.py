"""Queue throughput: Talvix vs procrastinate vs a raw-SQL floor, on one embedded Postgres.

Workload per system: enqueue N tasks, then W worker processes claim and complete them until none is
left (1, 2 and 4 workers). Figures are tasks per second over enqueue + claim + complete.

- talvix: ``core.queue.enqueue_many``, then ``claim`` (batches of 20) and ``complete_many`` for the tasks of
  a batch that finished together (the group commit a runner does), with the events and NOTIFY every state
  change writes. ``talvix_per_task_complete`` is the same with one ``complete`` call (one commit) per task.
- procrastinate: ``batch_defer`` of a no-op task, then ``run_worker(wait=False)`` per process.
- raw SQL: one INSERT, then one statement per task that claims and completes it
  (``UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1)``) — no events, no leases.
- raw SQL, batched: the floor for Talvix's batched path: one statement claims 20 (``FOR UPDATE SKIP
  LOCKED``), one statement completes them (``WHERE id = ANY(...)``) — no events, no leases, no NOTIFY.
  ``ratio_vs_raw_batched`` is Talvix's queue over it (goal >= 0.8).
- hot-path sketch (``hot_sketch``, ``hot_sketch_no_events``): a different task table in plain SQL, where a
  claim and a completion are HOT updates (claimable work in a narrow table of its own), with Talvix's
  three event rows per task and without them: how far a redesign could go, not a queue Talvix runs.
  ``hot_sketch_talvix_client``: the same table driven by Talvix's client (tasks sent and read back as task
  objects, whole rows claimed into task objects, fenced JSON completions, the connection pool, events and
  NOTIFY): the redesign with today's client.
- raw SQL, batched, same table: the same two statements on Talvix's own ``tasks`` table (its columns,
  indexes and claim order), inserted as plainly; ``ratio_vs_raw_batched_same_table`` is Talvix's queue over
  it, the share of the gap that is Talvix's own work rather than its table.

Each run also reports what a task cost (``usage_per_task``): the Postgres server's CPU, the client's (this
process and the workers it joined) and the WAL written, per task (:class:`Meter`). From two workers on, both
cores of this machine are busy, so a system's rate follows its total CPU per task;
``talvix_server_cpu_over_raw_batched_cpu`` is Talvix's server CPU over the batched floor's whole CPU per task.
The phase section (``phases_per_task``; ``--no-phases`` skips it) measures enqueue, claim and complete one at
a time on one connection for Talvix and both batched floors.

With the runner section (default), ``runner_over_queue`` is the best end-to-end ``talvix runner`` ping
rate over the best rate of the queue itself (goal >= 0.5), and ``runner_over_queue_per_processes`` the
same per process count (runner processes vs queue worker processes).

``--quick`` finishes in under 3 minutes on 2 cores. The last line is one JSON object.
Run: ``python bench/queue.py [--quick] [--tasks N]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named queue.py: keep its folder off sys.path so the standard library's `queue` wins.
REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

import argparse
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections.abc import Callable

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from core.db import Database, ensure_embedded, migrate, stop_embedded  # noqa: E402

CLAIM_BATCH = 20


# ------------------------------------------------------------------------------------------------
# What a measured phase costs: CPU on both sides and WAL
# ------------------------------------------------------------------------------------------------
_HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int, children: bool = False) -> tuple[int, float]:
    """(parent pid, CPU seconds) of a process from /proc; with ``children``, those of its reaped children too."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return int(fields[1]), ticks / _HZ


def _server_cpu(postmaster: int) -> float:
    """CPU seconds the server has used so far: the postmaster, its live processes (exited but not yet
    reaped ones included) and its reaped ones. A backend that exits between two readings moves from the
    second term to the third, so the difference of two readings is exactly what was used in between."""
    total = _proc_cpu(postmaster, children=True)[1]
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != postmaster:
            try:
                ppid, cpu = _proc_cpu(int(entry))
            except (OSError, IndexError, ValueError):
                continue  # gone between listing and reading: its CPU is in the postmaster's reaped figure
            if ppid == postmaster:
                total += cpu
    return total


class Meter:
    """The CPU and WAL of a measured phase, per task: ``server_cpu_us`` (Postgres: the backends serving
    it, the WAL writer and every other server process), ``client_cpu_us`` (this process and the worker
    processes it has joined) and ``wal_bytes`` (all the WAL the server wrote). The figures say where a
    system's time goes on a CPU-bound machine; the server must run on this host (it does, embedded)."""

    def __init__(self, base_url: str) -> None:
        # One connection for both readings, opened before the first: no backend starts or ends in between
        # on the meter's account.
        self.conn = psycopg.connect(base_url, autocommit=True)
        backend = self.conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        try:
            self.postmaster: int | None = _proc_cpu(backend)[0]
        except OSError:  # no /proc: the CPU figures are left out
            self.postmaster = None

    def _read(self) -> tuple[float, float, int]:
        lsn = self.conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint").fetchone()[0]
        own = os.times()
        client = own.user + own.system + own.children_user + own.children_system
        server = _server_cpu(self.postmaster) if self.postmaster else float("nan")
        return server, client, int(lsn)

    def __enter__(self) -> Meter:
        self.start = self._read()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.end = self._read()
        finally:
            self.conn.close()

    def per_task(self, tasks: int) -> dict[str, float]:
        (s0, c0, w0), (s1, c1, w1) = self.start, self.end
        return {"server_cpu_us": round(1e6 * (s1 - s0) / tasks, 1), "client_cpu_us": round(1e6 * (c1 - c0) / tasks, 1),
                "wal_bytes": round((w1 - w0) / tasks)}


def _usage_text(used: dict[str, float]) -> str:
    return (f"per task: server CPU {used['server_cpu_us']:6.1f} us, client CPU {used['client_cpu_us']:6.1f} us, "
            f"WAL {used['wal_bytes']:5.0f} B")


def _timed_run(base_url: str, procs: list, barrier, enqueue: Callable[[], None],
               finish: Callable[[], bool] | None = None) -> tuple[float, Meter]:
    """Start the worker processes, then time and meter the enqueue and the workers' run until all have ended
    (the workers start claiming when the enqueue is done: ``barrier``). ``finish``, if given, runs after them
    and says whether it had work left to do, which then counts in the time too."""
    for p in procs:
        p.start()
    with Meter(base_url) as meter:
        t0 = time.perf_counter()
        enqueue()
        barrier.wait()
        for p in procs:
            p.join()
        elapsed = time.perf_counter() - t0
        if finish is not None and finish():
            elapsed = time.perf_counter() - t0
    return elapsed, meter


def _fresh_db(base_url: str, name: str) -> str:
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return base_url.replace("/postgres?", f"/{name}?")


def _talvix_db(base_url: str, name: str, max_size: int = 1) -> tuple[str, Database]:
    """A fresh database named ``name`` with Talvix's schema, and a pool on it."""
    url = _fresh_db(base_url, name)
    db = Database(url, min_size=1, max_size=max_size)
    migrate(db)
    return url, db


def _enqueue_talvix(db: Database, tasks: int) -> None:
    """``tasks`` pings through Talvix's queue, 1,000 per ``enqueue_many``."""
    from core import queue
    from core.models import NewTask

    for start in range(0, tasks, 1000):
        queue.enqueue_many(db, [NewTask("ping", {"i": i}) for i in range(start, min(tasks, start + 1000))])


def _enqueue_plain(conn: psycopg.Connection, table: str, tasks: int) -> None:
    """``tasks`` pings into a floor's ``table``, 1,000 per INSERT, the payloads made by the server."""
    for start in range(0, tasks, 1000):
        conn.execute(f"INSERT INTO {table} (agent, payload) SELECT 'ping', jsonb_build_object('i', g) "
                     "FROM generate_series(%s::int, %s::int) g", (start, min(tasks, start + 1000) - 1))


# ------------------------------------------------------------------------------------------------
# Talvix
# ------------------------------------------------------------------------------------------------
def _talvix_worker(url: str, n: int, barrier, group: bool) -> None:
    from core import queue

    db = Database(url, min_size=1, max_size=1)
    barrier.wait()
    while True:
        tasks = queue.claim(db, ["ping"], CLAIM_BATCH, f"bench-{n}", 60)
        if not tasks:
            break
        if group:
            done = queue.complete_many(db, [(t, {"ok": True}) for t in tasks])
            assert len(done) == len(tasks)
        else:
            for t in tasks:
                queue.complete(db, t, {"ok": True})
    db.close()


def bench_talvix(base_url: str, tasks: int, workers: int, group: bool = True) -> tuple[float, dict[str, float]]:
    url, db = _talvix_db(base_url, f"bench_talvix_{workers}", max_size=2)
    barrier = mp.Barrier(workers + 1)
    procs = [mp.Process(target=_talvix_worker, args=(url, i, barrier, group), daemon=True) for i in range(workers)]
    elapsed, meter = _timed_run(base_url, procs, barrier, lambda: _enqueue_talvix(db, tasks))
    done = db.one("SELECT count(*) AS n FROM tasks WHERE status = 'succeeded'")["n"]
    db.close()
    assert done == tasks, f"talvix completed {done} of {tasks}"
    return tasks / elapsed, meter.per_task(tasks)


# ------------------------------------------------------------------------------------------------
# procrastinate
# ------------------------------------------------------------------------------------------------
def _procrastinate_app(url: str):
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

    @app.task(name="ping", queue="default")
    def ping(i: int) -> dict:
        return {"ok": True}

    return app, ping


def _procrastinate_worker(url: str, barrier) -> None:
    import logging

    logging.disable(logging.CRITICAL)
    app, _ = _procrastinate_app(url)
    barrier.wait()
    app.run_worker(wait=False, concurrency=1, listen_notify=False, delete_jobs="never",
                   install_signal_handlers=False, fetch_job_polling_interval=0.1)


def bench_procrastinate(base_url: str, tasks: int, workers: int) -> tuple[float, dict[str, float]]:
    url = _fresh_db(base_url, f"bench_procrastinate_{workers}")
    app, ping = _procrastinate_app(url)
    with app.open():
        app.schema_manager.apply_schema()
        barrier = mp.Barrier(workers + 1)
        procs = [mp.Process(target=_procrastinate_worker, args=(url, barrier), daemon=True) for _ in range(workers)]

        def enqueue() -> None:
            for start in range(0, tasks, 1000):
                ping.batch_defer(*({"i": i} for i in range(start, min(tasks, start + 1000))))

        def finish() -> bool:
            with psycopg.connect(url) as conn:
                done = conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'").fetchone()[0]
            if done == tasks:
                return False
            # run_worker(wait=False) may stop while another worker still holds jobs: finish the rest.
            app2, _ = _procrastinate_app(url)
            app2.run_worker(wait=False, concurrency=1, listen_notify=False, install_signal_handlers=False)
            return True

        elapsed, meter = _timed_run(base_url, procs, barrier, enqueue, finish)
    return tasks / elapsed, meter.per_task(tasks)


# ------------------------------------------------------------------------------------------------
# Raw SQL floor
# ------------------------------------------------------------------------------------------------
_RAW_SCHEMA = """
CREATE TABLE raw_tasks (id bigserial PRIMARY KEY, agent text NOT NULL, payload jsonb NOT NULL,
                        status text NOT NULL DEFAULT 'queued', result jsonb);
CREATE INDEX ON raw_tasks (agent, id) WHERE status = 'queued';
"""
_RAW_CLAIM_COMPLETE = """
UPDATE raw_tasks SET status = 'succeeded', result = '{"ok": true}'
 WHERE id = (SELECT id FROM raw_tasks WHERE agent = 'ping' AND status = 'queued'
              ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id
"""


def _raw_worker(url: str, barrier) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        barrier.wait()
        while conn.execute(_RAW_CLAIM_COMPLETE).fetchone() is not None:
            pass


_RAW_CLAIM_BATCH = f"""
UPDATE raw_tasks SET status = 'running'
 WHERE id IN (SELECT id FROM raw_tasks WHERE agent = 'ping' AND status = 'queued'
               ORDER BY id LIMIT {CLAIM_BATCH} FOR UPDATE SKIP LOCKED)
RETURNING id
"""
_RAW_COMPLETE_BATCH = """UPDATE raw_tasks SET status = 'succeeded', result = '{"ok": true}' WHERE id = ANY(%s)"""


def _raw_batched_worker(url: str, barrier, claim: str = _RAW_CLAIM_BATCH,
                        complete: str = _RAW_COMPLETE_BATCH) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        barrier.wait()
        while True:
            ids = [r[0] for r in conn.execute(claim).fetchall()]
            if not ids:
                break
            conn.execute(complete, (ids,))


# The same floor on Talvix's own ``tasks`` table (its columns, indexes and claim order): what the batched
# statements cost on that table, so the gap to Talvix's queue is what Talvix adds (state events, leases,
# fencing, NOTIFY, its rows read into tasks) and the gap between the two floors is the table itself.
_SAME_TABLE_CLAIM = f"""
UPDATE tasks SET status = 'running'
 WHERE id IN (SELECT id FROM tasks WHERE agent = 'ping' AND status IN ('queued', 'failed')
               ORDER BY priority DESC, run_at, id LIMIT {CLAIM_BATCH} FOR UPDATE SKIP LOCKED)
RETURNING id
"""
_SAME_TABLE_COMPLETE = """UPDATE tasks SET status = 'succeeded', result = '{"ok": true}' WHERE id = ANY(%s)"""


# A sketch of a different task table, in plain SQL: what the queue could reach if a claim and a completion
# were HOT updates (no index on the wide task row names a column they change, so Postgres writes no index
# entry for them). Claimable work lives in a narrow table of its own (one row per queued task, deleted by
# the claim), the task row keeps Talvix's columns and one index besides its primary key, and each state
# change appends an event row as Talvix does (``events=False``: without them). It is not a queue Talvix
# could use as it stands: with no index on the status, the console's views by status and the reaper's
# search for expired leases would need structures of their own. The figures size that redesign.
_HOT_SCHEMA = """
CREATE TABLE hot_tasks (
    id bigserial PRIMARY KEY, agent text NOT NULL, payload jsonb NOT NULL DEFAULT '{}', status text NOT NULL DEFAULT 'queued',
    priority int NOT NULL DEFAULT 0, run_at timestamptz NOT NULL DEFAULT now(), attempts int NOT NULL DEFAULT 0,
    max_attempts int NOT NULL DEFAULT 5, lease_until timestamptz, locked_by text, last_error text, result jsonb,
    idempotency_key text, candidate_id bigint, job_id bigint, application_id bigint, parent_id bigint, site text,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz, finished_at timestamptz
) WITH (fillfactor = 40);
CREATE INDEX ON hot_tasks (agent, id);
CREATE TABLE hot_ready (id bigint NOT NULL, agent text NOT NULL, priority int NOT NULL, run_at timestamptz NOT NULL);
CREATE INDEX ON hot_ready (agent, priority DESC, run_at, id);
CREATE TABLE hot_events (id bigserial PRIMARY KEY, ts timestamptz NOT NULL DEFAULT now(), level text NOT NULL DEFAULT 'info',
                         kind text NOT NULL DEFAULT 'log', agent text, task_id bigint, candidate_id bigint,
                         job_id bigint, application_id bigint, runner_id text, message text NOT NULL, data jsonb);
CREATE INDEX ON hot_events (task_id, id);
"""


def _hot_db(base_url: str, name: str) -> str:
    """A fresh database named ``name`` holding the sketch's tables."""
    url = _fresh_db(base_url, name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(_HOT_SCHEMA)
    return url


def _claim_in_index_order(conn: psycopg.Connection) -> None:
    """For the rest of the session. The queue is filled just before the workers start, faster than autovacuum
    gathers statistics on it: without these, a claim on the sketch's table would sort every queued row instead
    of reading the index in order."""
    conn.execute("SET enable_bitmapscan = off")
    conn.execute("SET enable_sort = off")


def _hot_event(source: str, message: str, events: bool) -> str:
    if not events:
        return ""
    return (f", e AS (INSERT INTO hot_events (agent, task_id, runner_id, message) "
            f"SELECT agent, id, 'bench', {message} FROM {source})")


def _hot_statements(events: bool) -> tuple[str, str, str]:
    enqueue = f"""
WITH ins AS (INSERT INTO hot_tasks (agent, payload)
             SELECT 'ping', jsonb_build_object('i', g) FROM generate_series(%s::int, %s::int) g
             RETURNING id, agent, priority, run_at),
r AS (INSERT INTO hot_ready SELECT id, agent, priority, run_at FROM ins){_hot_event("ins", "'queued'", events)}
SELECT count(*) FROM ins"""
    claim = f"""
WITH c AS (DELETE FROM hot_ready WHERE ctid IN (
               SELECT ctid FROM hot_ready WHERE agent = 'ping' AND run_at <= now()
                ORDER BY priority DESC, run_at, id LIMIT {CLAIM_BATCH} FOR UPDATE SKIP LOCKED) RETURNING id),
u AS (UPDATE hot_tasks t SET status = 'running', locked_by = 'bench', attempts = t.attempts + 1,
             lease_until = now() + interval '60 seconds', started_at = now(), updated_at = now()
        FROM c WHERE t.id = c.id RETURNING t.*){_hot_event("u", "'running'", events)}
SELECT id, attempts FROM u"""
    complete = f"""
WITH u AS (UPDATE hot_tasks t SET status = 'succeeded', result = '{{"ok": true}}', lease_until = NULL,
                  finished_at = now(), updated_at = now()
            WHERE t.id = ANY(%s) AND t.status = 'running' AND t.locked_by = 'bench'
        RETURNING id, agent){_hot_event("u", "'succeeded'", events)}
SELECT id FROM u"""
    return enqueue, claim, complete


def _hot_worker(url: str, barrier, events: bool) -> None:
    _, claim, complete = _hot_statements(events)
    with psycopg.connect(url, autocommit=True) as conn:
        _claim_in_index_order(conn)
        barrier.wait()
        while True:
            ids = [r[0] for r in conn.execute(claim).fetchall()]
            if not ids:
                break
            conn.execute(complete, (ids,)).fetchall()


def bench_hot_sketch(base_url: str, tasks: int, workers: int, events: bool = True) -> tuple[float, dict[str, float]]:
    url = _hot_db(base_url, f"bench_hot_{int(events)}_{workers}")
    enqueue, _, _ = _hot_statements(events)
    with psycopg.connect(url, autocommit=True) as conn:
        barrier = mp.Barrier(workers + 1)
        procs = [mp.Process(target=_hot_worker, args=(url, barrier, events), daemon=True) for _ in range(workers)]

        def enqueue_all() -> None:
            for start in range(0, tasks, 1000):
                conn.execute(enqueue, (start, min(tasks, start + 1000) - 1))

        elapsed, meter = _timed_run(base_url, procs, barrier, enqueue_all)
        done = conn.execute("SELECT count(*) FROM hot_tasks WHERE status = 'succeeded'").fetchone()[0]
    assert done == tasks, f"hot-path sketch completed {done} of {tasks}"
    return tasks / elapsed, meter.per_task(tasks)


# The sketch's table driven the way Talvix's queue is: tasks enqueued from the client as a JSON document and
# read back into task objects, claims answering whole rows made into task objects, completions sent as one
# fenced JSON document per group, each through the connection pool, with Talvix's state events and NOTIFY.
# It leaves out what only Talvix's statements have (the per-agent claim order, the operator's controls,
# paused sites, foreign keys): how far the redesign would go with the client Talvix has today.
def _on_hot_tables(statement: str) -> str:
    """One of Talvix's queue statements, on the sketch's tables instead of ``tasks`` and ``events``."""
    return statement.replace("UPDATE tasks t", "UPDATE hot_tasks t").replace("INSERT INTO events", "INSERT INTO hot_events")


def _hot_talvix_statements() -> tuple[str, str, str]:
    """Enqueue, claim and completion as Talvix's queue writes them (its state events and NOTIFY, its fenced
    completion verbatim), on the sketch's tables."""
    from core import queue

    fields = ", ".join("NULL::jsonb AS payload" if f == "payload" else f"ins.{f}" for f in queue._TASK_FIELDS)
    enqueue = f"""
WITH input AS (
    SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS x(ord int, agent text, payload jsonb, priority int,
                                                           max_attempts int)
), ins AS (
    INSERT INTO hot_tasks (agent, payload, priority, max_attempts)
    SELECT agent, payload, priority, max_attempts FROM input ORDER BY ord
    RETURNING *
), r AS (INSERT INTO hot_ready SELECT id, agent, priority, run_at FROM ins
), e AS ({queue._state_events("ins", "'queued'")}),
n AS ({queue._notify_from("ins")})
SELECT {fields}, (SELECT count(*) FROM n) AS _n FROM ins ORDER BY ins.id
"""
    claim = f"""
WITH c AS (DELETE FROM hot_ready WHERE ctid IN (
               SELECT ctid FROM hot_ready WHERE agent = %(agent)s AND run_at <= now()
                ORDER BY priority DESC, run_at, id LIMIT %(n)s FOR UPDATE SKIP LOCKED) RETURNING id),
u AS (UPDATE hot_tasks t SET status = 'running', locked_by = %(runner)s, attempts = t.attempts + 1,
             lease_until = now() + make_interval(secs => %(lease)s), started_at = now(), updated_at = now()
        FROM c WHERE t.id = c.id AND t.status = 'queued' RETURNING t.*),
e AS ({queue._state_events("u", "'running, attempt ' || x.attempts || ' of ' || x.max_attempts",
                           runner="%(runner)s")}),
n AS ({queue._notify_from("u", queue.CHANNEL_EVENTS)})
SELECT u.*, (SELECT count(*) FROM n) AS _n FROM u ORDER BY u.priority DESC, u.run_at, u.id
"""
    return _on_hot_tables(enqueue), _on_hot_tables(claim), _on_hot_tables(queue._COMPLETE)


def _hot_talvix_enqueue(db: Database, tasks: int) -> None:
    """Talvix's client work for an enqueue, on the sketch's table: each task checked, the group sent as one
    JSON document, the rows read back into task objects and given their payloads."""
    from core import queue
    from core.models import NewTask

    statement = _hot_talvix_statements()[0]
    for start in range(0, tasks, 1000):
        items = [NewTask("ping", {"i": i}) for i in range(start, min(tasks, start + 1000))]
        rows = []
        for i, new in enumerate(items):
            p = queue._task_params(new)
            rows.append({"ord": i, "agent": p["agent"], "payload": new.payload, "priority": p["priority"],
                         "max_attempts": p["max_attempts"]})
        with db.transaction() as conn:
            created = [t for t, _ in queue._tasks_of(conn, statement, {"rows": json.dumps(rows)}) if t is not None]
        for t, row in zip(created, rows):
            t.payload = row["payload"]
        assert len(created) == len(items)


def _hot_talvix_worker(url: str, n: int, barrier) -> None:
    from core import queue

    _, claim, complete = _hot_talvix_statements()
    db = Database(url, min_size=1, max_size=1)
    with db.connection() as conn:  # the pool's one connection keeps the settings
        _claim_in_index_order(conn)
    params = {"agent": "ping", "n": CLAIM_BATCH, "runner": f"bench-{n}", "lease": 60.0}
    barrier.wait()
    while True:
        with db.connection() as conn:
            claimed = [t for t, _ in queue._tasks_of(conn, claim, params) if t is not None]
        if not claimed:
            break
        with db.connection() as conn:
            done = conn.execute(complete, queue._completion_params([(t, {"ok": True}) for t in claimed])).fetchall()
        assert len(done) == len(claimed)
    db.close()


def bench_hot_sketch_talvix_client(base_url: str, tasks: int, workers: int) -> tuple[float, dict[str, float]]:
    url = _hot_db(base_url, f"bench_hot_talvix_{workers}")
    db = Database(url, min_size=1, max_size=1)
    barrier = mp.Barrier(workers + 1)
    procs = [mp.Process(target=_hot_talvix_worker, args=(url, i, barrier), daemon=True) for i in range(workers)]
    elapsed, meter = _timed_run(base_url, procs, barrier, lambda: _hot_talvix_enqueue(db, tasks))
    done = db.one("SELECT count(*) AS n FROM hot_tasks WHERE status = 'succeeded'")["n"]
    db.close()
    assert done == tasks, f"hot-path sketch with Talvix's client completed {done} of {tasks}"
    return tasks / elapsed, meter.per_task(tasks)


def bench_raw(base_url: str, tasks: int, workers: int, batched: bool = False,
              same_table: bool = False) -> tuple[float, dict[str, float]]:
    name = "same_table" if same_table else "batched" if batched else "single"
    if same_table:
        url, db = _talvix_db(base_url, f"bench_raw_{name}_{workers}")
        db.close()
        table, worker, args = "tasks", _raw_batched_worker, (_SAME_TABLE_CLAIM, _SAME_TABLE_COMPLETE)
    else:
        url = _fresh_db(base_url, f"bench_raw_{name}_{workers}")
        table, worker, args = "raw_tasks", _raw_batched_worker if batched else _raw_worker, ()
    with psycopg.connect(url, autocommit=True) as conn:
        if not same_table:
            conn.execute(_RAW_SCHEMA)
        barrier = mp.Barrier(workers + 1)
        procs = [mp.Process(target=worker, args=(url, barrier, *args), daemon=True) for _ in range(workers)]
        elapsed, meter = _timed_run(base_url, procs, barrier, lambda: _enqueue_plain(conn, table, tasks))
        done = conn.execute(f"SELECT count(*) FROM {table} WHERE status = 'succeeded'").fetchone()[0]
    assert done == tasks, f"raw ({name}) completed {done} of {tasks}"
    return tasks / elapsed, meter.per_task(tasks)


# ------------------------------------------------------------------------------------------------
# Where a task's CPU goes, phase by phase (one connection, nothing else running)
# ------------------------------------------------------------------------------------------------
def _phases(base_url: str, tasks: int, enqueue: Callable[[], None], claim: Callable[[], list],
            complete: Callable[[list], object]) -> dict[str, dict[str, float]]:
    """Enqueue ``tasks``, claim them all (``claim`` answers a batch, empty when none is left), then complete
    each batch: each phase metered on its own."""
    out = {}
    with Meter(base_url) as meter:
        enqueue()
    out["enqueue"] = meter.per_task(tasks)
    batches = []
    with Meter(base_url) as meter:
        while batch := claim():
            batches.append(batch)
    out["claim"] = meter.per_task(tasks)
    with Meter(base_url) as meter:
        for batch in batches:
            complete(batch)
    out["complete"] = meter.per_task(tasks)
    return out


def _floor_phases(conn: psycopg.Connection, table: str, claim: str, complete: str, tasks: int,
                  base_url: str) -> dict[str, dict[str, float]]:
    return _phases(base_url, tasks, lambda: _enqueue_plain(conn, table, tasks),
                   lambda: [r[0] for r in conn.execute(claim).fetchall()],
                   lambda ids: conn.execute(complete, (ids,)))


def phase_breakdown(base_url: str, tasks: int) -> dict[str, dict[str, dict[str, float]]]:
    """Server CPU, client CPU and WAL per task of each phase (enqueue, claim, complete) on one connection,
    phases one after the other, for Talvix's queue, the batched floor on Talvix's table and the narrow
    floor: how much of the gap is Talvix's own statements and client, and how much its table."""
    from core import queue

    out: dict[str, dict[str, dict[str, float]]] = {}
    _, db = _talvix_db(base_url, "bench_phases_talvix")
    out["talvix"] = _phases(base_url, tasks, lambda: _enqueue_talvix(db, tasks),
                            lambda: queue.claim(db, ["ping"], CLAIM_BATCH, "bench-phases", 60),
                            lambda claimed: queue.complete_many(db, [(t, {"ok": True}) for t in claimed]))
    db.close()

    url, db = _talvix_db(base_url, "bench_phases_same_table")
    db.close()
    with psycopg.connect(url, autocommit=True) as conn:
        out["raw_batched_same_table"] = _floor_phases(conn, "tasks", _SAME_TABLE_CLAIM, _SAME_TABLE_COMPLETE,
                                                      tasks, base_url)
    url = _fresh_db(base_url, "bench_phases_raw")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(_RAW_SCHEMA)
        out["raw_batched"] = _floor_phases(conn, "raw_tasks", _RAW_CLAIM_BATCH, _RAW_COMPLETE_BATCH, tasks, base_url)
    for system, phases in out.items():
        for phase, used in phases.items():
            print(f"{system:>24}  {phase:<8}  {_usage_text(used)}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer tasks; finishes in under 3 minutes")
    parser.add_argument("--tasks", type=int, default=None)
    parser.add_argument("--no-runners", action="store_true", help="skip the runner-process section")
    parser.add_argument("--no-phases", action="store_true", help="skip the phase-by-phase CPU breakdown")
    parser.add_argument("--systems", default=None,
                        help="comma-separated subset of talvix,talvix_per_task_complete,procrastinate,raw_sql,"
                             "raw_batched,raw_batched_same_table,hot_sketch,hot_sketch_no_events,hot_sketch_talvix_client "
                             "(default: all)")
    args = parser.parse_args()
    tasks = args.tasks or (3000 if args.quick else 20000)
    worker_counts = (1, 2, 4)

    data_dir = Path(tempfile.mkdtemp(prefix="talvix-bench-"))
    print(f"starting embedded Postgres in {data_dir} ...", flush=True)
    base_url = ensure_embedded(data_dir, dbname="postgres")
    results: dict[str, dict[str, float]] = {"talvix": {}, "talvix_per_task_complete": {}, "procrastinate": {},
                                            "raw_sql": {}, "raw_batched": {}, "raw_batched_same_table": {},
                                            "hot_sketch": {}, "hot_sketch_no_events": {}, "hot_sketch_talvix_client": {}}
    systems = (("talvix", bench_talvix),
               ("talvix_per_task_complete", lambda url, n, w: bench_talvix(url, n, w, group=False)),
               ("procrastinate", bench_procrastinate), ("raw_sql", bench_raw),
               ("raw_batched", lambda url, n, w: bench_raw(url, n, w, batched=True)),
               ("raw_batched_same_table", lambda url, n, w: bench_raw(url, n, w, batched=True, same_table=True)),
               ("hot_sketch", bench_hot_sketch),
               ("hot_sketch_no_events", lambda url, n, w: bench_hot_sketch(url, n, w, events=False)),
               ("hot_sketch_talvix_client", bench_hot_sketch_talvix_client))
    if args.systems:
        keep = set(args.systems.split(",")) | {"talvix"}
        systems = tuple(x for x in systems if x[0] in keep)
        results = {k: v for k, v in results.items() if k in keep}
    usage: dict[str, dict[str, dict[str, float]]] = {k: {} for k in results}
    try:
        for w in worker_counts:
            for name, fn in systems:
                rate, used = fn(base_url, tasks, w)
                results[name][str(w)] = round(rate, 1)
                usage[name][str(w)] = used
                print(f"{name:>24}  workers={w}  tasks={tasks}  {rate:8.1f} tasks/s   {_usage_text(used)}", flush=True)
        phases = {} if args.no_phases else phase_breakdown(base_url, max(tasks, 6000))
        runner_figures: dict = {}
        if not args.no_runners:
            try:
                import importlib.util

                spec = importlib.util.spec_from_file_location("runners_section", REPO / "bench" / "runners_section.py")
                if spec is None or spec.loader is None:
                    raise ImportError("bench/runners_section.py")
                runners_section = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(runners_section)

                runner_figures = runners_section.run(base_url, args.quick)
            except (ImportError, FileNotFoundError):
                print("(runner section not available)")
    finally:
        stop_embedded(data_dir)

    best = {k: max(v.values()) if v else float("nan") for k, v in results.items()}
    best = {k: best.get(k, float("nan")) for k in ("talvix", "talvix_per_task_complete", "procrastinate", "raw_sql",
                                                   "raw_batched", "raw_batched_same_table", "hot_sketch",
                                                   "hot_sketch_no_events", "hot_sketch_talvix_client")}
    # Where the time goes, at each system's best rate: if Talvix's server side alone costs more CPU per task
    # than the floor's whole task does divided by 0.8, no client could bring the queue to 0.8x of the floor on
    # a machine whose cores are all busy (as they are here from 2 workers on).
    at_best = {k: usage[k][max(v, key=v.get)] for k, v in results.items() if v}
    cpu_figures: dict = {}
    if "raw_batched" in at_best:
        floor_cpu = at_best["raw_batched"]["server_cpu_us"] + at_best["raw_batched"]["client_cpu_us"]
        cpu_figures = {"talvix_server_cpu_over_raw_batched_cpu":
                       round(at_best["talvix"]["server_cpu_us"] / floor_cpu, 2) if floor_cpu > 0 else float("nan")}
    ends: dict = {}
    if runner_figures:
        pings = runner_figures["runner_ping_per_s"]
        ends = {"runner_over_queue": round(max(pings.values()) / best["talvix"], 2),
                "runner_over_queue_per_processes": {k: round(v / results["talvix"][k], 2) for k, v in pings.items()
                                                    if k in results["talvix"]}}
    summary = {
        "tasks": tasks,
        "workers": list(worker_counts),
        "per_workers": results,
        "talvix_tasks_per_s": best["talvix"],
        "procrastinate_tasks_per_s": best["procrastinate"],
        "raw_sql_tasks_per_s": best["raw_sql"],
        "ratio_vs_procrastinate": round(best["talvix"] / best["procrastinate"], 2),
        "ratio_vs_raw": round(best["raw_sql"] / best["talvix"], 2),
        "talvix_per_task_complete_tasks_per_s": best["talvix_per_task_complete"],
        "ratio_vs_raw_per_task_complete": round(best["raw_sql"] / best["talvix_per_task_complete"], 2),
        "raw_batched_tasks_per_s": best["raw_batched"],
        "ratio_vs_raw_batched": round(best["talvix"] / best["raw_batched"], 2),
        "raw_batched_same_table_tasks_per_s": best["raw_batched_same_table"],
        "ratio_vs_raw_batched_same_table": round(best["talvix"] / best["raw_batched_same_table"], 2),
        "hot_sketch_tasks_per_s": best["hot_sketch"],
        "hot_sketch_over_raw_batched": round(best["hot_sketch"] / best["raw_batched"], 2),
        "hot_sketch_no_events_tasks_per_s": best["hot_sketch_no_events"],
        "hot_sketch_no_events_over_raw_batched": round(best["hot_sketch_no_events"] / best["raw_batched"], 2),
        "hot_sketch_talvix_client_tasks_per_s": best["hot_sketch_talvix_client"],
        "hot_sketch_talvix_client_over_raw_batched": round(best["hot_sketch_talvix_client"] / best["raw_batched"], 2),
        "usage_per_task": usage,
        **({"phases_per_task": phases} if phases else {}),
        **cpu_figures,
        **({"runners": runner_figures} if runner_figures else {}),
        **ends,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    mp.set_start_method("fork")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
