"""A private X display per headed browser session (Xvfb, numbered by ``-displayfd``), watched like the browser."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time

from core.apply_engine.watchdog import WATCHDOG
from core.errors import BrowserError

# --------------------------------------------------------------------------------------------------
# Xvfb (only when headless is off and there is no display)
# --------------------------------------------------------------------------------------------------
XVFB_DISPLAYS = range(90, 190)


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Start a private Xvfb for one headed session; returns the process and its ``DISPLAY``.

    Xvfb itself decides whether a display number is free (it honours live lock files and clears stale
    ones left by a killed server), and ``-displayfd`` tells us the moment it accepts connections, so two
    sessions starting at once never share a display and a crashed run never uses a number up.
    """
    binary = shutil.which("Xvfb")
    if binary is None:
        raise BrowserError("apply.headless is false but there is no $DISPLAY and no Xvfb installed "
                           "(install the xvfb package, or set apply.headless = true)")
    for n in XVFB_DISPLAYS:
        read_fd, write_fd = os.pipe()
        try:
            proc = subprocess.Popen([binary, f":{n}", "-screen", "0", "1280x1600x24", "-nolisten", "tcp",
                                     "-displayfd", str(write_fd)], pass_fds=(write_fd,),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    start_new_session=True)
        except OSError as exc:
            os.close(read_fd)
            os.close(write_fd)
            raise BrowserError(f"could not run {binary}: {exc.strerror}") from None
        os.close(write_fd)
        try:
            ready = _read_display(read_fd, proc, timeout_s=10.0)
        finally:
            os.close(read_fd)
        if ready:
            WATCHDOG.add(proc.pid, None)  # its own process group: killed with our browsers if we die
            return proc, f":{n}"
        stop_xvfb(proc)  # display taken (Xvfb exited) or it never became ready
    raise BrowserError(f"could not start Xvfb on a free display :{XVFB_DISPLAYS.start}-:{XVFB_DISPLAYS.stop - 1} "
                       "(check for leftover Xvfb processes, or set $DISPLAY)")


def _read_display(fd: int, proc: subprocess.Popen[bytes], timeout_s: float) -> bool:
    """True once Xvfb writes its display number to ``-displayfd``; False if it exits or times out first."""
    deadline = time.monotonic() + timeout_s
    data = b""
    while time.monotonic() < deadline:
        readable, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not readable:
            break
        chunk = os.read(fd, 64)
        if not chunk:  # every writer closed: Xvfb exited without becoming ready
            return False
        data += chunk
        if data.endswith(b"\n"):
            return proc.poll() is None
    return False


def stop_xvfb(proc: subprocess.Popen[bytes]) -> None:
    """End a session's Xvfb and reap it.

    SIGTERM first, because Xvfb then removes its ``/tmp/.X<n>-lock`` and socket itself; SIGKILL only if
    it does not exit in time. Waiting on it leaves no zombie behind in a long-running runner.
    """
    WATCHDOG.remove(proc.pid)
    if proc.poll() is None:
        try:
            proc.terminate()
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    else:
        proc.wait()
