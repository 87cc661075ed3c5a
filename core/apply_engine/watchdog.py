"""Nothing of a browser outlives Talvix: a watchdog process kills our browsers' process groups if we die, live
sessions close at exit and on SIGTERM, and orphans of a crashed process are reaped.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any

import psutil

PROFILE_PREFIX = "talvix-chrome-"


# --------------------------------------------------------------------------------------------------
# Watchdog: kills our browsers if this process dies without cleaning up (SIGKILL, OOM, segfault).
# --------------------------------------------------------------------------------------------------
_WATCHDOG_CODE = r"""
import os, signal, sys, shutil
groups = {}
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
for line in sys.stdin:
    parts = line.split(" ", 2)
    if parts[0] == "add" and len(parts) == 3:
        groups[int(parts[1])] = parts[2].strip()
    elif parts[0] == "del" and len(parts) >= 2:
        groups.pop(int(parts[1]), None)
for pgid, profile in groups.items():
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass
    if profile:
        shutil.rmtree(profile, ignore_errors=True)
"""


class _Watchdog:
    """One helper process per Talvix process; EOF on its stdin means we are gone."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-S", "-c", _WATCHDOG_CODE], stdin=subprocess.PIPE, text=True,
                start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True,
            )
        return self._proc

    def _send(self, line: str) -> None:
        with self._lock:
            try:
                proc = self._ensure()
                assert proc.stdin is not None
                proc.stdin.write(line + "\n")
                proc.stdin.flush()
            except (OSError, ValueError):
                self._proc = None

    def add(self, pgid: int, profile: Path | None) -> None:
        self._send(f"add {pgid} {profile or ''}")

    def remove(self, pgid: int) -> None:
        self._send(f"del {pgid}")

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None


WATCHDOG = _Watchdog()


LIVE: weakref.WeakSet[Any] = weakref.WeakSet()


def close_all_live() -> None:
    for browser in list(LIVE):
        browser.close()


def install_sigterm_cleanup() -> None:
    """Turn SIGTERM into ``SystemExit`` in the main thread, so ``finally`` blocks close browsers.

    For one-off commands; the headless runner has its own graceful SIGTERM handling.
    """
    if threading.current_thread() is not threading.main_thread():
        return

    def _handler(signum: int, frame: Any) -> None:
        close_all_live()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _handler)


def profile_root() -> Path:
    return Path(tempfile.gettempdir())


def reap_orphans() -> int:
    """Kill Chromium/chromedriver processes whose Talvix owner is gone; returns how many were killed.

    A profile directory is named ``talvix-chrome-<owner pid>-...``: if that pid no longer runs, the
    browser is an orphan of a crashed process.
    """
    killed = 0
    marker = "--user-data-dir=" + str(profile_root() / PROFILE_PREFIX)
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            cmd = proc.info.get("cmdline") or []
            arg = next((a for a in cmd if a.startswith(marker)), None)
            if arg is None:
                continue
            owner = int(arg[len(marker):].split("-", 1)[0])
            if psutil.pid_exists(owner) and owner != proc.pid:
                continue
            try:
                pgid = os.getpgid(proc.pid)
            except OSError:
                pgid = None
            if pgid is not None and pgid != os.getpgrp() and pgid > 1:
                os.killpg(pgid, signal.SIGKILL)  # chromedriver and every Chromium process of that session
            else:
                proc.kill()
            killed += 1
            shutil.rmtree(arg.split("=", 1)[1], ignore_errors=True)
        except (psutil.Error, ValueError, IndexError, OSError):
            continue
    return killed
