"""An authenticating proxy forwarder on 127.0.0.1: Chromium cannot send proxy credentials, so it talks to this,
which relays to the upstream proxy with ``Proxy-Authorization`` added.
"""

from __future__ import annotations

import base64
import select
import socket
import threading
from urllib.parse import unquote, urlsplit

from core.errors import BrowserError


# --------------------------------------------------------------------------------------------------
# Authenticated upstream proxy through a local forwarder
# --------------------------------------------------------------------------------------------------
class AuthForwarder:
    """A local HTTP proxy on 127.0.0.1 that relays to ``upstream`` with ``Proxy-Authorization`` added.

    ``CONNECT`` tunnels (HTTPS) are relayed byte for byte after the authenticated CONNECT; plain HTTP
    requests are sent one per connection (``Connection: close``) so every request carries the header.
    """

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        if parts.scheme not in ("http", "") or not parts.hostname:
            raise BrowserError(f"proxy must be an http://[user:pass@]host:port URL (got scheme {parts.scheme!r})")
        self.upstream = (parts.hostname, parts.port or 8080)
        self.auth: bytes | None = None
        if parts.username is not None:
            token = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            self.auth = b"Proxy-Authorization: Basic " + base64.b64encode(token)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="talvix-proxy", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closed.set()
        try:
            self._sock.close()
        except OSError:
            pass

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _read_head(self, conn: socket.socket) -> tuple[bytes, bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
            if len(data) > 1 << 20:
                break
        head, _, rest = data.partition(b"\r\n\r\n")
        return head, rest

    def _rewrite(self, head: bytes, connect: bool) -> bytes:
        lines = head.split(b"\r\n")
        keep = [lines[0]]
        for line in lines[1:]:
            name = line.split(b":", 1)[0].strip().lower()
            if name in (b"proxy-authorization", b"proxy-connection") or (not connect and name == b"connection"):
                continue
            keep.append(line)
        if self.auth:
            keep.append(self.auth)
        if not connect:
            keep.append(b"Connection: close")
        return b"\r\n".join(keep) + b"\r\n\r\n"

    def _handle(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            head, rest = self._read_head(client)
            if not head:
                return
            connect = head.split(b" ", 1)[0].upper() == b"CONNECT"
            upstream = socket.create_connection(self.upstream, timeout=30)
            upstream.sendall(self._rewrite(head, connect) + rest)
            self._pipe(client, upstream)
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        a.settimeout(None)
        b.settimeout(None)
        socks = [a, b]
        while not self._closed.is_set():
            readable, _, _ = select.select(socks, [], [], 1.0)
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
