"""End-to-end ``ping`` throughput through 1, 2 and 4 runner processes, against procrastinate workers.

Both sides run real worker processes on the same Postgres server, each in its own fresh database, with
the same number of tasks and the same per-process concurrency. Each side is measured from the first task
started to the last task finished, by the database's own timestamps, with every worker process already
up: Talvix runners start with ``ping`` paused and are resumed; procrastinate workers start listening to
an empty queue and the jobs are moved into it (with the NOTIFY its insert trigger would have sent).
Process start-up is therefore not counted for either.

``run(url, quick)`` is called by ``bench/queue.py``; ``url`` points at a server where databases may be
created. Alone: ``python bench/runners_section.py [--quick] [--url URL]`` (default: a throwaway embedded
Postgres) prints the figures, then one JSON object as the last line.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py is named after the standard library's `queue`: keep this folder off sys.path so the
# standard module wins, and put the repository root on it instead.
_REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _REPO / "bench"]
sys.path.insert(0, str(_REPO))

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

PROCESSES = (1, 2, 4)
CONCURRENCY = 8  # tasks at once per process, on both sides


def _db_url(base: str, name: str) -> str:
    p = urlsplit(base)
    return urlunsplit((p.scheme, p.netloc, "/" + name, p.query, p.fragment))


def _create_db(base: str, name: str) -> str:
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _db_url(base, name)


def _drop_db(base: str, name: str) -> None:
    try:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    except psycopg.Error:
        pass


def _wait(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"benchmark timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)


# ------------------------------------------------------------------------------------------------
# Talvix runners
# ------------------------------------------------------------------------------------------------
_KEYS: dict[str, str] = {}


def talvix_ping_per_s(url: str, processes: int, n: int, tmp: Path) -> float:
    """Pings per second through ``processes`` headless ``talvix runner`` processes."""
    from core import queue
    from core.crypto import generate_key
    from core.db import Database

    db = Database(url, min_size=1, max_size=2)
    try:
        db.execute("TRUNCATE tasks, events, runners, agent_controls RESTART IDENTITY")
        queue.set_agent_paused(db, "ping", True, "benchmark: waiting for every runner to start")
        with db.connection() as conn, conn.cursor() as cur:
            with cur.copy("COPY tasks (agent, payload) FROM STDIN") as copy:
                for _ in range(n):
                    copy.write_row(("ping", '{"ms": 0}'))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TALVIX_")}
        # One key for every round: the database remembers the key its personal data was written with and
        # refuses runners that bring another.
        key = _KEYS.setdefault(url, generate_key())
        env.update({"TALVIX_DATABASE_URL": url, "TALVIX_ENCRYPTION_KEY": key,
                    "TALVIX_DATA_DIR": str(tmp / "talvix-data"), "PYTHONPATH": str(REPO)})
        cmd = [sys.executable, "-m", "cli.main", "runner", "--agents", "ping", "--concurrency",
               str(CONCURRENCY), "--no-schedule"]
        procs = [subprocess.Popen(cmd, env=env, cwd=str(tmp), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(processes)]
        try:
            _wait(lambda: db.one("SELECT count(*) AS c FROM runners WHERE status = 'running'")["c"] == processes,
                  60, "runners to register")
            queue.set_agent_paused(db, "ping", False)
            _wait(lambda: db.one("SELECT count(*) AS c FROM tasks WHERE status = 'succeeded'")["c"] == n,
                  600, "pings to finish")
        finally:
            _stop(procs)
        row = db.one("""SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 AS s
                          FROM tasks WHERE status = 'succeeded'""")
        return n / max(row["s"], 1e-6)
    finally:
        db.close()


# ------------------------------------------------------------------------------------------------
# procrastinate workers
# ------------------------------------------------------------------------------------------------
_APP = textwrap.dedent('''
    """procrastinate app for the runner benchmark: the same ping as Talvix's (waits ms, answers host and pid)."""
    import asyncio
    import os
    import socket

    from procrastinate import App, PsycopgConnector

    app = App(connector=PsycopgConnector(conninfo=os.environ["BENCH_PROCRASTINATE_URL"]))


    @app.task(name="ping", queue="bench")
    async def ping(ms: int = 0) -> dict:
        if ms:
            await asyncio.sleep(ms / 1000)
        return {"host": socket.gethostname(), "pid": os.getpid(), "ms": ms}
''')


def procrastinate_ping_per_s(url: str, processes: int, n: int, tmp: Path) -> float:
    """Pings per second through ``processes`` procrastinate worker processes."""
    app_dir = tmp / "procrastinate_app"
    app_dir.mkdir(exist_ok=True)
    (app_dir / "bench_procrastinate_app.py").write_text(_APP, encoding="utf-8")
    env = {**os.environ, "BENCH_PROCRASTINATE_URL": url, "PYTHONPATH": str(app_dir)}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE procrastinate_jobs, procrastinate_workers RESTART IDENTITY CASCADE")
        # The jobs wait in a queue no worker listens to until every worker is up.
        with conn.cursor() as cur, cur.copy(
                "COPY procrastinate_jobs (queue_name, task_name, args) FROM STDIN") as copy:
            for _ in range(n):
                copy.write_row(("hold", "ping", '{"ms": 0}'))
        cmd = [sys.executable, "-m", "procrastinate", "--app=bench_procrastinate_app.app", "worker",
               "--queues=bench", f"--concurrency={CONCURRENCY}"]
        procs = [subprocess.Popen(cmd, env=env, cwd=str(app_dir), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(processes)]
        try:
            _wait(lambda: conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()[0] >= processes,
                  60, "procrastinate workers to start")
            with conn.transaction():
                conn.execute("UPDATE procrastinate_jobs SET queue_name = 'bench' WHERE queue_name = 'hold'")
                for _ in range(processes * CONCURRENCY):
                    conn.execute("""SELECT pg_notify('procrastinate_any_queue_v1',
                                        json_build_object('type', 'job_inserted', 'job_id', 1)::text)""")
            _wait(lambda: conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'")
                  .fetchone()[0] == n, 600, "procrastinate jobs to finish")
        finally:
            _stop(procs)
        seconds = conn.execute(
            """SELECT extract(epoch FROM max(at) FILTER (WHERE type = 'succeeded')
                                     - min(at) FILTER (WHERE type = 'started'))::float8
                 FROM procrastinate_events""").fetchone()[0]
    return n / max(seconds, 1e-6)


def _procrastinate_schema(url: str) -> None:
    import logging

    from procrastinate import App, SyncPsycopgConnector

    logging.getLogger("procrastinate").setLevel(logging.ERROR)  # "App is instantiated in the main module"
    app = App(connector=SyncPsycopgConnector(conninfo=url))
    with app.open():
        app.schema_manager.apply_schema()


# ------------------------------------------------------------------------------------------------
def run(url: str, quick: bool) -> dict[str, Any]:
    """Measure both sides on the server of ``url``; returns figures (tasks per second per process count)."""
    from core.db import Database, migrate

    n = 1500 if quick else 6000
    suffix = os.getpid()
    talvix_db, procr_db = f"talvix_bench_runners_{suffix}", f"procrastinate_bench_{suffix}"
    out: dict[str, Any] = {"runner_tasks": n, "runner_concurrency_per_process": CONCURRENCY,
                           "runner_ping_per_s": {}, "procrastinate_ping_per_s": {}}
    try:
        t_url = _create_db(url, talvix_db)
        db = Database(t_url, min_size=0, max_size=2)
        try:
            migrate(db)
        finally:
            db.close()
        p_url = _create_db(url, procr_db)
        _procrastinate_schema(p_url)
        with tempfile.TemporaryDirectory(prefix="talvix-bench-runners-") as tmp:
            for k in PROCESSES:
                out["runner_ping_per_s"][str(k)] = round(talvix_ping_per_s(t_url, k, n, Path(tmp)), 1)
                print(f"talvix runners x{k}: {out['runner_ping_per_s'][str(k)]:.0f} pings/s", file=sys.stderr)
                out["procrastinate_ping_per_s"][str(k)] = round(procrastinate_ping_per_s(p_url, k, n, Path(tmp)), 1)
                print(f"procrastinate workers x{k}: {out['procrastinate_ping_per_s'][str(k)]:.0f} pings/s",
                      file=sys.stderr)
    finally:
        _drop_db(url, talvix_db)
        _drop_db(url, procr_db)
    out["runner_ratio_vs_procrastinate"] = {
        k: round(out["runner_ping_per_s"][k] / max(out["procrastinate_ping_per_s"][k], 1e-9), 2)
        for k in out["runner_ping_per_s"]}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer tasks (about a minute)")
    parser.add_argument("--url", default=os.environ.get("TALVIX_BENCH_DATABASE_URL"),
                        help="a Postgres server where databases may be created (default: a throwaway embedded one)")
    args = parser.parse_args(argv)
    if args.url:
        figures = run(args.url, args.quick)
    else:
        from core.db import ensure_embedded, stop_embedded

        with tempfile.TemporaryDirectory(prefix="talvix-bench-pg-") as d:
            url = ensure_embedded(Path(d), dbname="postgres")
            try:
                figures = run(url, args.quick)
            finally:
                stop_embedded(Path(d))
    for side in ("runner_ping_per_s", "procrastinate_ping_per_s"):
        for k, v in figures[side].items():
            print(f"{side.replace('_ping_per_s', ''):>13} x{k}: {v:8.1f} pings/s")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
