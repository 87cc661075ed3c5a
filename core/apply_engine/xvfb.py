"""A private X display per headed browser session (Xvfb, numbered by ``-displayfd``), watched like the browser."""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import socket
import subprocess
import time
from pathlib import Path

from core.apply_engine.watchdog import WATCHDOG
from core.errors import BrowserError

# --------------------------------------------------------------------------------------------------
# Xvfb (only when headless is off and there is no display)
# --------------------------------------------------------------------------------------------------
XVFB_DISPLAYS = range(90, 190)


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Start a private Xvfb for one headed session; returns the process and its ``DISPLAY``.

    Xvfb itself decides whether a display number is free: with ``-displayfd`` it writes no lock file and
    binds the display's abstract socket instead, which the kernel frees when the server dies, so two
    sessions starting at once never share a display and a crashed run never uses a number up.
    ``-displayfd`` also tells us the moment it accepts connections.
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
    """End a session's Xvfb, reap it and clear what it left of its display.

    SIGTERM first, because Xvfb then removes its ``/tmp/.X11-unix/X<n>`` socket itself; SIGKILL only if
    it does not exit in time. Waiting on it leaves no zombie behind in a long-running runner. A server
    that was killed (here, by the watchdog, the OOM killer or a crash) cannot tidy up, so what it left
    is removed here.
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
    display = str(proc.args[1]) if isinstance(proc.args, list) and len(proc.args) > 1 else ""
    if display.startswith(":") and display[1:].isdigit():
        clear_display_files(int(display[1:]), proc.pid)


def clear_display_files(n: int, dead_pid: int, tmp: Path = Path("/tmp")) -> None:
    """Remove the socket (and lock file, if it wrote one) of display ``n`` left by the ended server ``dead_pid``.

    Nothing is touched while another server holds the display: a lock file naming another pid, or a
    socket something listens on, means the number has a new owner.
    """
    lock = tmp / f".X{n}-lock"
    holder = _lock_pid(lock)
    if holder is not None and holder != dead_pid:
        return
    if holder == dead_pid:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
    sock = tmp / ".X11-unix" / f"X{n}"
    if sock.is_socket() and not _listening(sock) and _lock_pid(lock) is None:
        with contextlib.suppress(FileNotFoundError):
            sock.unlink()


def _lock_pid(lock: Path) -> int | None:
    """The pid an X lock file names (ten characters, space-padded), or None when there is none to read."""
    try:
        text = lock.read_text(errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _listening(sock: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(sock))
        except OSError:
            return False
    return True
