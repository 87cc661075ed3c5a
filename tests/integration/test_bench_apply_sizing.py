"""bench/apply.py's execution-server sizing: the parts its figures rest on.

The sizing (docs/benchmarks.md, "Every goal measured again, and the execution server's CPU") divides the
machine's busy CPU time by the applications made with n at once; these tests hold the clock it reads, the
worker pool that makes the applications and the refusal of a bad ``--browsers``.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import subprocess
import sys
import threading

import pytest

from tests.support.common import REPO, burn_cpu, load_script

_PATH = REPO / "bench" / "apply.py"


def _bench_apply():
    return load_script(_PATH, "bench_apply_sizing")


def test_machine_busy_time_counts_other_processes_cpu() -> None:
    bench = _bench_apply()
    before = bench.machine_busy_s()
    # CPU burnt by another process (as Chromium's are): the machine-wide clock must see it.
    worker = mp.get_context("fork").Process(target=burn_cpu, args=(0.3,))
    worker.start()
    worker.join()
    assert worker.exitcode == 0
    used = bench.machine_busy_s() - before
    # Machine-wide, so other work may add to it, never take from it; the kernel's ticks are 10 ms.
    assert used >= 0.25, used


def test_in_parallel_applies_each_form_once_across_workers() -> None:
    bench = _bench_apply()
    seen: list[tuple[str, int]] = []
    sessions: list[int] = []
    lock = threading.Lock()
    both_busy = threading.Barrier(2, timeout=10)

    class Session:
        def __enter__(self) -> int:
            with lock:
                sessions.append(len(sessions))
                return sessions[-1]

        def __exit__(self, *exc: object) -> None:
            return None

    calls = iter(range(100))

    def apply_one(session: int, key: str) -> float:
        with lock:
            call = next(calls)
        if call < 2:
            both_busy.wait()  # the first two applications are made at once, one by each worker
        with lock:
            seen.append((key, session))
        return 0.01

    keys = [f"form-{i}" for i in range(7)]
    elapsed, walls = bench.in_parallel(keys, 2, Session, apply_one)
    assert sorted(k for k, _ in seen) == sorted(keys)  # every form once, none twice
    assert walls == [0.01] * 7
    assert sessions == [0, 1]  # a session per worker, kept for all its applications
    assert {s for _, s in seen} == {0, 1}
    assert elapsed > 0


def test_in_parallel_stops_at_the_first_failure_and_raises_it() -> None:
    bench = _bench_apply()
    done: list[str] = []

    def apply_one(_: object, key: str) -> float:
        if key == "form-3":
            raise ValueError("the form was not submitted")
        done.append(key)
        return 0.01

    with pytest.raises(RuntimeError, match="the form was not submitted"):
        # One worker takes the forms from the end: 5 and 4, then 3 fails; 2, 1 and 0 are never tried.
        bench.in_parallel([f"form-{i}" for i in range(6)], 1, contextlib.nullcontext, apply_one)
    assert done == ["form-5", "form-4"]


@pytest.mark.parametrize("value", ["0", "two", ""])
def test_a_bad_browsers_count_is_refused_before_anything_starts(value: str) -> None:
    run = subprocess.run([sys.executable, str(_PATH), "--sizing-only", "--browsers", value],
                         capture_output=True, text=True, timeout=60, cwd=REPO)
    assert run.returncode == 2, run
    assert "--browsers" in run.stderr
    assert "Traceback" not in run.stderr
