"""A real IMAP server on loopback for the mailbox tests: pymap's in-memory backend in a subprocess,
one user, filled over IMAP itself (APPEND)."""

from __future__ import annotations

import imaplib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.common import wait_for


@dataclass
class ImapServer:
    host: str
    port: int
    username: str
    password: str

    def client(self) -> imaplib.IMAP4:
        c = imaplib.IMAP4(self.host, self.port, timeout=10)
        c.login(self.username, self.password)
        return c

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        c = self.client()
        try:
            for raw in messages:
                typ, data = c.append(folder, None, imaplib.Time2Internaldate(time.time()), raw)
                assert typ == "OK", data
        finally:
            c.logout()

    def flags(self, folder: str = "INBOX") -> list[bytes]:
        c = self.client()
        try:
            c.select(folder, readonly=True)
            _, data = c.uid("FETCH", "1:*", "(FLAGS)")
            return [d for d in data if isinstance(d, bytes)]
        finally:
            c.logout()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            return s.recv(64).startswith(b"* OK")
    except OSError:
        return False


@contextmanager
def pymap_server(tmp: Path, username: str = "inbox@talvix.test", password: str = "imap-s3cret") -> Iterator[ImapServer]:
    exe = shutil.which("pymap")
    cmd = [exe] if exe else [sys.executable, "-m", "pymap"]
    port = _free_port()
    log = open(tmp / "pymap.log", "wb")
    proc = subprocess.Popen([*cmd, "--host", "127.0.0.1", "--port", str(port), "dict", "--demo-user", username,
                             "--demo-password", password], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: proc.poll() is not None or _accepts(port), timeout=30, message="pymap to accept connections")
        if proc.poll() is not None:
            raise RuntimeError(f"pymap exited: {(tmp / 'pymap.log').read_text(errors='replace')[-500:]}")
        yield ImapServer("127.0.0.1", port, username, password)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
