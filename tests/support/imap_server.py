"""A real IMAP server on loopback for the mailbox tests: pymap's in-memory backend in a subprocess,
one user, filled over IMAP itself (APPEND)."""

from __future__ import annotations

import imaplib
import shutil
import socket
import ssl
import subprocess
import sys
import threading
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
    #: Trusts the server's certificate: the server offers STARTTLS and the helper's client uses it.
    tls_client: ssl.SSLContext | None = None

    def client(self) -> imaplib.IMAP4:
        c = imaplib.IMAP4(self.host, self.port, timeout=10)
        if self.tls_client is not None:
            c.starttls(ssl_context=self.tls_client)
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
def pymap_server(tmp: Path, username: str = "inbox@talvix.test", password: str = "imap-s3cret", *,
                 cert: Path | None = None, key: Path | None = None, no_tls: bool = False) -> Iterator[ImapServer]:
    """pymap on loopback; with ``cert``/``key`` it offers STARTTLS with that certificate (and refuses a
    plain login before it); ``no_tls``: it offers no STARTTLS at all."""
    exe = shutil.which("pymap")
    cmd = [exe] if exe else [sys.executable, "-m", "pymap"]
    port = _free_port()
    log = open(tmp / "pymap.log", "wb")
    tls_args = ["--cert", str(cert), "--key", str(key)] if cert and key else ["--no-tls"] if no_tls else []
    proc = subprocess.Popen([*cmd, "--host", "127.0.0.1", "--port", str(port), *tls_args, "dict", "--demo-user",
                             username, "--demo-password", password], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: proc.poll() is not None or _accepts(port), timeout=30, message="pymap to accept connections")
        if proc.poll() is not None:
            raise RuntimeError(f"pymap exited: {(tmp / 'pymap.log').read_text(errors='replace')[-500:]}")
        trust = ssl.create_default_context(cafile=str(cert)) if cert else None
        yield ImapServer("127.0.0.1", port, username, password, tls_client=trust)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


@contextmanager
def imaps_front(server: ImapServer, tls: ssl.SSLContext) -> Iterator[int]:
    """IMAPS in front of ``server``: a loopback port that speaks TLS from the first byte (as stunnel or a
    load balancer does in front of port 143) and relays the decrypted stream to it. Yields the port."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    stopping = threading.Event()

    def pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def serve() -> None:
        while not stopping.is_set():
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            raw.settimeout(10)
            try:
                secure = tls.wrap_socket(raw, server_side=True)
                secure.settimeout(None)
            except (OSError, ssl.SSLError):
                raw.close()  # a client that did not trust us, or spoke plain text
                continue
            inner = socket.create_connection((server.host, server.port), timeout=10)
            threading.Thread(target=pump, args=(secure, inner), daemon=True).start()
            threading.Thread(target=pump, args=(inner, secure), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stopping.set()
        listener.close()
        thread.join(5)
