"""Every discovery request has a total deadline and a size limit (issue 11: bounded resources).

Real servers on loopback: one that trickles a byte at a time (httpx's per-read timeout never fires), one
that accepts and never answers, one that answers more than the size limit.
"""

from __future__ import annotations

import socket
import threading

import pytest

from core.jobs.discovery import discover
from core.jobs.sources import SourceError


class RawServer:
    """A TCP server on 127.0.0.1 that does ``behaviour(conn)`` for each connection, counting them."""

    def __init__(self, behaviour) -> None:
        self.behaviour = behaviour
        self.connections = 0
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            self.behaviour(conn, self.stop)
        except OSError:
            pass
        finally:
            conn.close()

    def __enter__(self) -> RawServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def trickle(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    while not stop.wait(0.05):
        conn.sendall(b" ")


def silent(conn: socket.socket, stop: threading.Event) -> None:
    stop.wait(30)


def huge(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
    chunk = b" " * 65536
    for _ in range(64):  # 4 MB
        if stop.is_set():
            return
        conn.sendall(chunk)


@pytest.fixture
def quick(settings):
    return settings.model_copy(update={"discovery": settings.discovery.model_copy(
        update={"timeout_s": 1.0, "retries": 2, "backoff_s": 0.0, "max_response_mb": 1.0})})


def _run(server_behaviour, quick, db) -> tuple[RawServer, SourceError]:
    with RawServer(server_behaviour) as server:
        with pytest.raises(SourceError) as err:
            discover(db, quick, "greenhouse:acme", base_url=server.url)
    return server, err.value


def test_a_server_that_trickles_fails_at_the_total_deadline(quick, db) -> None:
    server, err = _run(trickle, quick, db)
    assert "did not finish within 1 s" in str(err)
    assert server.connections == 1
    assert db.one("SELECT count(*) AS n FROM jobs")["n"] == 0


def test_a_server_that_never_answers_fails_in_one_timeout_not_three(quick, db) -> None:
    server, err = _run(silent, quick, db)
    assert "did not answer within 1 s" in str(err)
    assert server.connections == 1


def test_an_answer_past_the_size_limit_is_refused(quick, db) -> None:
    server, err = _run(huge, quick, db)
    assert "larger than 1 MB" in str(err)
    assert server.connections == 1
