"""Hostile HTTP servers on loopback, at the TCP level: what a misbehaving job board or gateway really does.

httpx's per-read timeout never fires on a server that trickles a byte at a time, a server that accepts
and never answers holds a connection open, and one that answers without end fills memory unless the client
stops reading. :class:`RawServer` runs a *behaviour* (``behaviour(conn, stop)``) for each connection, after
reading the request; the behaviours below are the usual ones. Used by the discovery deadline tests and by
``bench/hostile.py``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

Behaviour = Callable[[socket.socket, threading.Event], None]


class RawServer:
    """A TCP server on 127.0.0.1 running ``behaviour(conn, stop)`` per connection, counting connections.

    Serves from construction; :meth:`close` (or leaving the ``with`` block) stops it and wakes every
    behaviour through ``stop``."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.connections = 0
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            conn.recv(65536)
            self.behaviour(conn, self.stop)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self._thread.join(5)
        self.sock.close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def answer(body: bytes, ctype: str = "application/json", status: str = "200 OK") -> Behaviour:
    """A whole, well-formed answer (any status), then the connection closes."""

    def run(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                     "Connection: close\r\n\r\n".encode() + body)
    return run


def trickle(every_s: float) -> Behaviour:
    """Headers promising 100 kB, then one byte every ``every_s`` seconds until stopped."""

    def run(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        while not stop.wait(every_s):
            conn.sendall(b" ")
    return run


def silent(for_s: float) -> Behaviour:
    """Accepts, reads the request and says nothing for ``for_s`` seconds (or until stopped)."""

    def run(conn: socket.socket, stop: threading.Event) -> None:
        stop.wait(for_s)
    return run


def huge(head: bytes, chunk: bytes, count: int) -> Behaviour:
    """A 200 with no length: ``head``, then ``chunk`` ``count`` times unless the client stops reading."""

    def run(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + head)
        for _ in range(count):
            if stop.is_set():
                return
            conn.sendall(chunk)
    return run
