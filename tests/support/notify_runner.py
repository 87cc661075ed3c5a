"""Real ``talvix runner --agents notify`` processes for the notification crash tests."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from tests.support.common import talvix_cmd, wait_for
from tests.support.runner_procs import FAST_ENV as QUEUE_FAST_ENV

#: The queue's fast timers, and the notify agent's own lease (60 s by default) as short.
FAST_ENV = {**QUEUE_FAST_ENV, "TALVIX_AGENTS__NOTIFY__LEASE_SECONDS": "5", "PYTHONUNBUFFERED": "1"}
wait_until = wait_for
talvix = talvix_cmd


class Runner:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = open(log, "wb")
        self.proc = subprocess.Popen(talvix_cmd("runner", "--agents", "notify", "--concurrency", "1"),
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
