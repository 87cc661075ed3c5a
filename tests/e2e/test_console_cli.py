"""The console's commands: ``talvix demo`` seeds a separate demo database, ``talvix console`` needs a
terminal, and a dropped terminal (SIGHUP) ends the console cleanly with its runners stopped."""

from __future__ import annotations

import json
import os
import pty
import signal

from core.db import stop_embedded
from tests.support.common import talvix_cmd, wait_for


def test_console_without_a_terminal_says_what_to_use_instead(run_talvix):
    proc = run_talvix("console")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "talvix: error: the console needs a terminal (for scripts use talvix status --json or talvix tasks --json)"]


def test_demo_seeds_its_own_embedded_database(run_talvix, data_dir):
    try:
        proc = run_talvix("demo", "--seed-only", "--json", timeout=240)
        assert proc.returncode == 0, proc.stderr
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        assert info["seeded"] == 1 and info["candidates"] == 5 and info["data_dir"] == str(data_dir / "demo")
        shots = list((data_dir / "demo" / "storage" / "screenshots").rglob("*.png"))
        assert len(shots) >= 6
        again = json.loads(run_talvix("demo", "--seed-only", "--json", timeout=240).stdout.strip().splitlines()[-1])
        assert again["seeded"] == 0  # an existing demo is opened as it is
    finally:
        stop_embedded(data_dir / "demo")


def test_sighup_ends_the_console_and_stops_its_runner(talvix_env, data_dir, db):
    pid, fd = pty.fork()
    if pid == 0:  # child: the console on a real terminal
        os.chdir(data_dir)
        os.execve(talvix_cmd()[0], talvix_cmd("console", "--runner"), {**talvix_env, "TERM": "xterm-256color",
                                                                     "COLUMNS": "80", "LINES": "24"})
    output = bytearray()

    def read_some() -> bool:
        import select

        while select.select([fd], [], [], 0)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            output.extend(chunk)
        return True

    try:
        wait_for(lambda: read_some() and db.one("SELECT id FROM runners WHERE mode = 'console' AND status = 'running'"),
                 timeout=60, message="the console's runner")
        os.kill(pid, signal.SIGHUP)
        exited: list[int] = []

        def gone() -> bool:
            read_some()
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                exited.append(st)
            return bool(done)

        wait_for(gone, timeout=30, message="the console to exit after SIGHUP")
        status = exited[0]
        assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
        assert db.one("SELECT status FROM runners WHERE mode = 'console'")["status"] == "gone"
        assert b"Overview" in output
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
