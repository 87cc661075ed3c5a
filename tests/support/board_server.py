"""A loopback HTTP server that answers like a job board API (tests only; nothing leaves 127.0.0.1)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


class BoardServer:
    """Routes ``path -> (status, headers, body)``; every request is recorded (path and query)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                server.requests.append(self.path)
                path = urlsplit(self.path).path
                status, headers, body = server.routes.get(path, (404, {"Content-Type": "application/json"},
                                                                 b'{"status":404,"error":"Not found"}'))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def json(self, path: str, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.routes[path] = (status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(data).encode())

    def raw(self, path: str, body: str | bytes, content_type: str, status: int = 200) -> None:
        self.routes[path] = (status, {"Content-Type": content_type}, body.encode() if isinstance(body, str) else body)

    def __enter__(self) -> BoardServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def greenhouse_job(job_id: int, title: str, html: str, location: str = "Remote", *, offices: list[str] | None = None,
                   board: str = "acme", double_encode: bool = True) -> dict[str, Any]:
    """One job as the Greenhouse Job Board API lists it with ``content=true`` (entity-encoded HTML)."""
    import html as htmlmod

    content = htmlmod.escape(html, quote=False)
    if double_encode:
        content = htmlmod.escape(content, quote=False)
    return {
        "id": job_id, "internal_job_id": job_id + 1000, "title": title, "updated_at": "2026-01-14T10:55:28-05:00",
        "requisition_id": str(job_id), "location": {"name": location},
        "absolute_url": f"https://boards.greenhouse.io/{board}/jobs/{job_id}", "metadata": None, "content": content,
        "departments": [{"id": 1, "name": "Engineering", "parent_id": None, "child_ids": []}],
        "offices": [{"id": i, "name": name, "location": name, "parent_id": None, "child_ids": []}
                    for i, name in enumerate(offices or [])],
    }
