"""Real ``talvix runner`` processes for the runner and scheduler tests.

Each process writes its JSON log lines to a file (not a pipe: a pipe nobody reads fills up and blocks
the runner), so a test can read what it logged after the fact.
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

from tests.support.common import talvix_cmd

#: Short leases and fast timers so crash recovery takes seconds, not minutes.
FAST_ENV = {
    "TALVIX_QUEUE__LEASE_SECONDS": "5",
    "TALVIX_QUEUE__HEARTBEAT_SECONDS": "1",
    "TALVIX_QUEUE__REAPER_SECONDS": "1",
    "TALVIX_QUEUE__BACKOFF_BASE_SECONDS": "0",
    "TALVIX_QUEUE__POLL_SECONDS": "0.5",
}


class RunnerProc:
    """One ``talvix runner`` subprocess."""

    def __init__(self, env: dict[str, str], log_path: Path, *args: str, cwd: Path | None = None) -> None:
        self.log_path = log_path
        self._out = open(log_path, "wb")
        self._err_path = log_path.with_suffix(".err")
        self._err = open(self._err_path, "wb")
        self.proc = subprocess.Popen(talvix_cmd("runner", *args), env=env, stdout=self._out, stderr=self._err,
                                     cwd=str(cwd) if cwd else None)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def wait(self, timeout: float = 30) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self._out.flush()

    def lines(self) -> list[dict[str, Any]]:
        """Every JSON line logged so far (each stdout line must be one JSON object)."""
        self._out.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def stderr(self) -> str:
        self._err.flush()
        return self._err_path.read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._out.close()
        self._err.close()


class Fleet:
    """A set of runner processes that a test starts and that are always cleaned up."""

    def __init__(self, env: dict[str, str], tmp: Path, cwd: Path | None = None) -> None:
        self.env = env
        self.tmp = tmp
        self.cwd = cwd
        self.procs: list[RunnerProc] = []

    def start(self, *args: str, env: dict[str, str] | None = None) -> RunnerProc:
        p = RunnerProc({**self.env, **(env or {})}, self.tmp / f"runner-{len(self.procs)}.jsonl", *args, cwd=self.cwd)
        self.procs.append(p)
        return p

    def alive(self) -> list[RunnerProc]:
        return [p for p in self.procs if p.alive()]

    def stop_all(self, timeout: float = 30) -> list[int]:
        for p in self.alive():
            p.signal(signal.SIGTERM)
        return [p.wait(timeout) for p in self.procs]

    def close(self) -> None:
        for p in self.procs:
            p.close()


def fast_env(base: dict[str, str], **extra: str) -> dict[str, str]:
    """The test environment with short leases and fast timers, plus ``extra``."""
    return {**base, **FAST_ENV, "PYTHONUNBUFFERED": "1", **extra}
