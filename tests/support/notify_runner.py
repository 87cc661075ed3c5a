"""Real ``talvix runner --agents notify`` processes for the notification crash tests."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

FAST_ENV = {
    "TALVIX_QUEUE__LEASE_SECONDS": "5",
    "TALVIX_QUEUE__HEARTBEAT_SECONDS": "1",
    "TALVIX_QUEUE__REAPER_SECONDS": "1",
    "TALVIX_QUEUE__BACKOFF_BASE_SECONDS": "0",
    "TALVIX_QUEUE__POLL_SECONDS": "0.5",
    "TALVIX_AGENTS__NOTIFY__LEASE_SECONDS": "5",
    "PYTHONUNBUFFERED": "1",
}


def talvix(*args: str) -> list[str]:
    try:
        from cli import main as _cli  # noqa: F401  (after the layout move)
        return [sys.executable, "-m", "cli.main", *args]
    except ImportError:
        return [sys.executable, "-m", "runners.cli", *args]


def wait_until(predicate: Any, timeout: float = 30.0, message: str = "condition") -> Any:
    """Poll ``predicate`` until it returns a truthy value (a condition, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(0.05)


class Runner:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = open(log, "wb")
        self.proc = subprocess.Popen(talvix("runner", "--agents", "notify", "--concurrency", "1"),
                                     env={**env, **FAST_ENV}, stdout=self._out, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(30)
        finally:
            self._out.close()

    def output(self) -> str:
        if not self._out.closed:
            self._out.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")
