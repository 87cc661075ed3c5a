"""bench/queue.py's meter: the CPU and WAL figures it reports are what the measured phase really used.

The figures explain the queue's ratio to its raw-SQL floor (docs/benchmarks.md), so they must count the
server's work done by backends that have already exited, and the worker processes the bench forks.
"""

from __future__ import annotations

import multiprocessing as mp

import psycopg

from tests.support.common import REPO, burn_cpu, load_script

_PATH = REPO / "bench" / "queue.py"


def _bench_queue():
    return load_script(_PATH, "bench_queue_meter")


def test_meter_counts_exited_backends_forked_workers_and_wal(db_url: str) -> None:
    bench = _bench_queue()
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE meter_probe (g int)")
    with bench.Meter(db_url) as meter:
        # Server work in a backend that has exited (and been reaped) before the second reading.
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("SELECT count(*) FROM generate_series(1, 3000000)").fetchone()
            conn.execute("INSERT INTO meter_probe SELECT g FROM generate_series(1, 50000) g")
        # Client work in a forked worker the bench waits for.
        worker = mp.get_context("fork").Process(target=burn_cpu, args=(0.2,))
        worker.start()
        worker.join()
        assert worker.exitcode == 0
    used = meter.per_task(1)
    assert used["server_cpu_us"] >= 100_000, used
    assert used["client_cpu_us"] >= 150_000, used
    # 50,000 rows of one int are well over a megabyte of WAL (a tuple header each, besides the value).
    assert used["wal_bytes"] >= 1_000_000, used


def test_meter_of_an_idle_phase_reports_little(db_url: str) -> None:
    bench = _bench_queue()
    with bench.Meter(db_url) as meter:
        pass
    used = meter.per_task(1)
    # Nothing was done: the two readings' own work only, not this process's CPU since it started (seconds,
    # by now). The server's CPU and WAL are the whole server's, which other tests share: not bounded here.
    assert 0 <= used["client_cpu_us"] < 100_000, used
