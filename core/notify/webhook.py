"""``talvix webhook``: the small HTTP endpoint behind the gateway that takes the providers' inbound webhooks.

``POST /webhook/waha``, ``/webhook/evolution``, ``/webhook/cloud`` (signature checked first: an unsigned or
wrongly signed request gets 401 and is logged, nothing else happens); ``GET /webhook/cloud`` answers the
Cloud API's verification handshake (``hub.mode=subscribe``, ``hub.verify_token``, ``hub.challenge``);
``GET /healthz``. Bodies over 1 MiB are refused. Logs name the provider and the outcome, never a number or
a message.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from core.notify import inbound
from core.notify.outbox import AGENT
from core.notify.settings import WhatsAppSettings
from core.queue import add_event

MAX_BODY = 1024 * 1024
PROVIDERS = ("waha", "evolution", "cloud")
log = logging.getLogger("talvix.notify.webhook")


class _Handler(BaseHTTPRequestHandler):
    server: WebhookServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # the access log would carry nothing useful; outcomes are logged
        pass

    def _reply(self, status: int, body: Any = None, *, text: str | None = None) -> None:
        data = text.encode() if text is not None else json.dumps(body if body is not None else {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if text is not None else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _provider(self, path: str) -> str | None:
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "webhook" and parts[1] in PROVIDERS:
            return parts[1]
        return None

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/healthz":
            return self._reply(200, {"ok": True})
        if self._provider(url.path) == "cloud":
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            want = self.server.cfg.cloud_verify_token
            if q.get("hub.mode") == "subscribe" and want and hmac.compare_digest(
                    q.get("hub.verify_token", "").encode(), want.encode()):
                return self._reply(200, text=q.get("hub.challenge", ""))
            self.server.refused("cloud", "wrong or missing hub.verify_token", self.client_address[0])
            return self._reply(403, {"error": "verification failed"})
        self._reply(404, {"error": "not found"})

    def do_POST(self) -> None:
        provider = self._provider(urlsplit(self.path).path)
        if provider is None:
            return self._reply(404, {"error": "not found"})
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self._reply(400, {"error": "bad Content-Length"})
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            return self._reply(413, {"error": "body too large"})
        raw = self.rfile.read(length)
        try:
            inbound.verify(provider, self.headers, raw, self.server.cfg)
        except inbound.Refused as exc:
            self.server.refused(provider, str(exc), self.client_address[0])
            return self._reply(401, {"error": "signature refused"})
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return self._reply(400, {"error": "body is not JSON"})
        results = []
        for msg in inbound.parse(provider, body):
            try:
                results.append(inbound.handle(self.server.db, self.server.cipher, msg)["outcome"])
            except Exception as exc:  # noqa: BLE001 - one bad message must not lose the others
                log.error("inbound message could not be handled: %s", type(exc).__name__,
                          extra={"fields": {"event": "webhook.error", "provider": provider}})
                results.append("error")
        with self.server.lock:
            self.server.handled += len(results)
        log.info("webhook %s: %s", provider, ", ".join(results) or "no messages",
                 extra={"fields": {"event": "webhook.ok", "provider": provider, "outcomes": results}})
        self._reply(200, {"ok": True, "outcomes": results})


class WebhookServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, db: Any, cipher: Any, cfg: WhatsAppSettings, host: str = "127.0.0.1", port: int = 8088) -> None:
        super().__init__((host, port), _Handler)
        self.db, self.cipher, self.cfg = db, cipher, cfg
        self.lock = threading.Lock()
        self.handled = 0
        self.refusals = 0

    def refused(self, provider: str, reason: str, client: str) -> None:
        with self.lock:
            self.refusals += 1
        log.warning("webhook %s refused from %s: %s", provider, client, reason,
                    extra={"fields": {"event": "webhook.refused", "provider": provider, "client": client}})
        try:
            with self.db.transaction() as conn:
                add_event(conn, f"webhook {provider} refused from {client}: {reason}", level="warning", kind="audit",
                          agent=AGENT)
        except Exception:  # noqa: BLE001 - the refusal stands even if the database is away
            pass

    @property
    def port(self) -> int:
        return int(self.server_address[1])
