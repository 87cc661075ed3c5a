"""Loopback fakes of the remote WhatsApp APIs (WAHA, Evolution API v2, WhatsApp Cloud API) and a real SMTP
server (aiosmtpd) for the notification tests.

The HTTP fake answers in each provider's documented request/response shapes, including their error bodies
(a number not on WhatsApp, the Cloud API's 24-hour window, rate limits). It records every message it
accepted; ``hold`` makes it take a message and then not answer until released (a provider that accepted
but whose answer never reached the runner).

Documents, in each provider's documented media shape, are kept in ``files`` (apart from ``sent``, which
holds the text messages): WAHA ``POST /api/sendFile`` (``file.data`` base64), Evolution v2
``POST /message/sendMedia/<instance>`` (``media`` base64), and the Cloud API's upload
``POST /<version>/<phone-number-id>/media`` (multipart) then a ``type: document`` message naming the media id.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeState:
    token: str = "gw-token"
    not_on_whatsapp: set[str] = field(default_factory=set)   # digits
    rate_limit_next: int = 0          # answer the next N sends with the provider's rate-limit error
    fail_5xx_next: int = 0
    cloud_window_closed: bool = True  # free text is refused outside the 24-hour window
    sent: list[dict[str, Any]] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    #: Documents accepted: {"provider", "to", "filename", "mimetype", "caption", "data": bytes, "id"}.
    files: list[dict[str, Any]] = field(default_factory=list)
    #: Cloud API media uploaded: media id -> {"filename", "mimetype", "data"}.
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Refuse documents (WAHA/Evolution 500 on the media call, Cloud 400 on the upload).
    refuse_files: bool = False
    requests: list[tuple[str, str]] = field(default_factory=list)
    hold: threading.Event | None = None      # when set (not None), accept then wait for it before answering
    held: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: FakeWhatsApp  # type: ignore[assignment]

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        ctype = self.headers.get("Content-Type") or ""
        if ctype.startswith("multipart/form-data"):
            parsed = message_from_bytes(f"Content-Type: {ctype}\r\n\r\n".encode() + raw)
            parts: dict[str, Any] = {}
            for part in parsed.get_payload():
                name = part.get_param("name", header="content-disposition")
                parts[str(name)] = {"filename": part.get_filename(), "mimetype": part.get_content_type(),
                                    "data": part.get_payload(decode=True)}
            return parts
        return json.loads(raw or b"null")

    def do_GET(self) -> None:
        st, kind = self.server.state, self.server.kind
        url = urlsplit(self.path)
        st.requests.append(("GET", url.path))
        if kind == "waha" and url.path == "/api/contacts/check-exists":
            if self.headers.get("X-Api-Key") != st.token:
                return self._send(401, {"statusCode": 401, "message": "Unauthorized"})
            phone = parse_qs(url.query).get("phone", [""])[0]
            st.checks.append(phone)
            exists = phone not in st.not_on_whatsapp
            return self._send(200, {"numberExists": exists, "chatId": f"{phone}@c.us" if exists else None})
        self._send(404, {"statusCode": 404, "message": f"Cannot GET {url.path}", "error": "Not Found"})

    def do_POST(self) -> None:
        st, kind = self.server.state, self.server.kind
        path = urlsplit(self.path).path
        st.requests.append(("POST", path))
        body = self._body()
        if kind == "waha":
            return self._waha(path, body)
        if kind == "evolution":
            return self._evolution(path, body)
        return self._cloud(path, body)

    # ---- WAHA -----------------------------------------------------------------------------------
    def _waha(self, path: str, body: dict[str, Any]) -> None:
        st = self.server.state
        if path == "/api/sendFile":
            if self.headers.get("X-Api-Key") != st.token:
                return self._send(401, {"statusCode": 401, "message": "Unauthorized"})
            if st.refuse_files:
                return self._send(500, {"statusCode": 500, "message": "Failed to send file", "error": "Internal"})
            f = body.get("file") or {}
            ident = f"true_{body.get('chatId')}_{uuid.uuid4().hex[:20].upper()}"
            with st.lock:
                st.files.append({"provider": "waha", "to": str(body.get("chatId", "")).split("@")[0],
                                 "filename": f.get("filename"), "mimetype": f.get("mimetype"),
                                 "caption": body.get("caption"), "data": base64.b64decode(f.get("data") or ""),
                                 "id": ident, "session": body.get("session")})
            return self._send(201, {"id": ident, "timestamp": 1700000000, "fromMe": True, "hasMedia": True, "ack": 1})
        if path != "/api/sendText":
            return self._send(404, {"statusCode": 404, "message": f"Cannot POST {path}", "error": "Not Found"})
        if self.headers.get("X-Api-Key") != st.token:
            return self._send(401, {"statusCode": 401, "message": "Unauthorized"})
        if self._limited():
            return self._send(429, {"statusCode": 429, "message": "Too Many Requests"}, {"Retry-After": "2"})
        if self._five_xx():
            return self._send(500, {"statusCode": 500, "message": "session is not ready", "error": "Internal Server Error"})
        chat = str(body.get("chatId", ""))
        ident = f"true_{chat}_{uuid.uuid4().hex[:20].upper()}"
        self._accept({"provider": "waha", "to": chat.split("@")[0], "text": body.get("text"), "id": ident,
                      "session": body.get("session")})
        self._send(201, {"id": ident, "timestamp": 1700000000, "from": "me@c.us", "fromMe": True, "to": chat,
                         "body": body.get("text"), "hasMedia": False, "ack": 1})

    # ---- Evolution v2 ----------------------------------------------------------------------------
    def _evolution(self, path: str, body: dict[str, Any]) -> None:
        st = self.server.state
        if self.headers.get("apikey") != st.token:
            return self._send(401, {"status": 401, "error": "Unauthorized", "response": {"message": "Unauthorized"}})
        if path.startswith("/chat/whatsappNumbers/"):
            nums = [str(n) for n in body.get("numbers", [])]
            st.checks.extend(nums)
            return self._send(200, [{"exists": n not in st.not_on_whatsapp, "jid": f"{n}@s.whatsapp.net",
                                     "number": n} for n in nums])
        if path.startswith("/message/sendMedia/"):
            if st.refuse_files:
                return self._send(500, {"status": 500, "error": "Internal Server Error",
                                        "response": {"message": "Media upload failed"}})
            number = str(body.get("number", ""))
            ident = "BAE5" + uuid.uuid4().hex[:12].upper()
            with st.lock:
                st.files.append({"provider": "evolution", "to": number, "filename": body.get("fileName"),
                                 "mimetype": body.get("mimetype"), "mediatype": body.get("mediatype"),
                                 "caption": body.get("caption"), "data": base64.b64decode(body.get("media") or ""),
                                 "id": ident, "instance": path.rsplit("/", 1)[-1]})
            return self._send(201, {"key": {"remoteJid": f"{number}@s.whatsapp.net", "fromMe": True, "id": ident},
                                    "message": {"documentMessage": {"mimetype": body.get("mimetype"),
                                                                    "fileName": body.get("fileName")}},
                                    "messageType": "documentMessage", "status": "PENDING"})
        if not path.startswith("/message/sendText/"):
            return self._send(404, {"status": 404, "error": "Not Found", "response": {"message": ["Cannot POST"]}})
        number = str(body.get("number", ""))
        if number in st.not_on_whatsapp:
            return self._send(400, {"status": 400, "error": "Bad Request", "response": {"message": [
                {"exists": False, "jid": f"{number}@s.whatsapp.net", "number": number}]}})
        if self._limited():
            return self._send(429, {"status": 429, "error": "Too Many Requests",
                                    "response": {"message": "rate-overlimit"}}, {"Retry-After": "2"})
        if self._five_xx():
            return self._send(500, {"status": 500, "error": "Internal Server Error",
                                    "response": {"message": "Connection Closed"}})
        ident = "BAE5" + uuid.uuid4().hex[:12].upper()
        self._accept({"provider": "evolution", "to": number, "text": body.get("text"), "id": ident,
                      "instance": path.rsplit("/", 1)[-1]})
        self._send(201, {"key": {"remoteJid": f"{number}@s.whatsapp.net", "fromMe": True, "id": ident},
                         "pushName": "", "message": {"extendedTextMessage": {"text": body.get("text")}},
                         "messageType": "conversation", "messageTimestamp": 1700000000, "status": "PENDING"})

    # ---- Cloud API -------------------------------------------------------------------------------
    def _cloud_error(self, status: int, code: int, message: str, details: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, {"error": {"message": message, "type": "OAuthException", "code": code,
                                      "error_data": {"messaging_product": "whatsapp", "details": details},
                                      "fbtrace_id": "A" + uuid.uuid4().hex[:10]}}, headers)

    def _cloud(self, path: str, body: dict[str, Any]) -> None:
        st = self.server.state
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[2] not in ("messages", "media"):
            return self._cloud_error(400, 100, "Unsupported post request", "unknown path")
        if self.headers.get("Authorization") != f"Bearer {st.token}":
            return self._cloud_error(401, 190, "Invalid OAuth access token - Cannot parse access token", "bad token")
        if parts[2] == "media":  # multipart: messaging_product, type, file
            f = body.get("file") if isinstance(body, dict) else None
            product = (body.get("messaging_product") or {}).get("data") if isinstance(body, dict) else None
            if st.refuse_files or not f or product != b"whatsapp":
                return self._cloud_error(400, 100, "(#100) Invalid parameter", "file and messaging_product are required")
            media_id = str(uuid.uuid4().int)[:16]
            st.media[media_id] = {"filename": f["filename"], "mimetype": f["mimetype"], "data": f["data"]}
            return self._send(200, {"id": media_id})
        if body.get("type") == "document":
            doc = body.get("document") or {}
            if str(doc.get("id")) not in st.media:
                return self._cloud_error(400, 131053, "(#131053) Media upload error", "unknown media id")
            if st.cloud_window_closed:
                return self._cloud_error(400, 131047, "(#131047) Re-engagement message",
                                         "Message failed to send because more than 24 hours have passed since the "
                                         "customer last replied to this number.")
            ident = "wamid.HBgM" + uuid.uuid4().hex.upper()
            m = st.media[str(doc["id"])]
            with st.lock:
                st.files.append({"provider": "cloud", "to": str(body.get("to", "")), "filename": doc.get("filename"),
                                 "mimetype": m["mimetype"], "caption": doc.get("caption"), "data": m["data"],
                                 "id": ident, "media_id": str(doc["id"])})
            return self._send(200, {"messaging_product": "whatsapp", "contacts": [{"input": body.get("to"),
                                                                                  "wa_id": body.get("to")}],
                                    "messages": [{"id": ident}]})
        to = str(body.get("to", ""))
        if self._limited():
            return self._cloud_error(400, 130429, "(#130429) Rate limit hit",
                                     "Cloud API message throughput has been reached.")
        if to in st.not_on_whatsapp:
            return self._cloud_error(400, 131026, "(#131026) Message undeliverable",
                                     "Unable to deliver message: the recipient is not a WhatsApp user.")
        if body.get("type") == "text" and st.cloud_window_closed:
            return self._cloud_error(400, 131047, "(#131047) Re-engagement message",
                                     "Message failed to send because more than 24 hours have passed since the "
                                     "customer last replied to this number.")
        ident = "wamid.HBgM" + uuid.uuid4().hex.upper()
        text = body["text"]["body"] if body.get("type") == "text" else None
        self._accept({"provider": "cloud", "to": to, "type": body.get("type"), "text": text,
                      "template": body.get("template"), "id": ident})
        self._send(200, {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                         "messages": [{"id": ident}]})

    # ---- shared ----------------------------------------------------------------------------------
    def _limited(self) -> bool:
        st = self.server.state
        with st.lock:
            if st.rate_limit_next > 0:
                st.rate_limit_next -= 1
                return True
        return False

    def _five_xx(self) -> bool:
        st = self.server.state
        with st.lock:
            if st.fail_5xx_next > 0:
                st.fail_5xx_next -= 1
                return True
        return False

    def _accept(self, record: dict[str, Any]) -> None:
        st = self.server.state
        with st.lock:
            st.sent.append(record)
        if st.hold is not None:
            st.held.set()
            st.hold.wait(60)


class FakeWhatsApp(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, kind: str, state: FakeState | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.kind = kind
        self.state = state or FakeState()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def env(self) -> dict[str, str]:
        """The settings a deployment would set for this provider."""
        if self.kind == "cloud":
            return {"WA_PROVIDER": "cloud", "WA_CLOUD_API_URL": self.url, "WA_CLOUD_PHONE_NUMBER_ID": "1098765",
                    "WA_CLOUD_TOKEN": self.state.token, "WA_CLOUD_API_VERSION": "v21.0"}
        return {"WA_PROVIDER": self.kind, "WA_GATEWAY_URL": self.url, "WA_GATEWAY_TOKEN": self.state.token}

    def start(self) -> FakeWhatsApp:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.state.hold is not None:
            self.state.hold.set()
        self.shutdown()
        self.server_close()


class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message it accepted."""

    def __init__(self, *, auth: tuple[str, str] | None = None, tls_context: Any = None, require_tls: bool = False,
                 implicit_tls: bool = False, refuse_rcpt: str | None = None, drop_after_data: bool = False) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if refuse_rcpt and address == refuse_rcpt:
                    return "550 5.1.1 mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                sink.messages.append(message_from_bytes(envelope.original_content or envelope.content))
                if drop_after_data:  # took the message, then the connection died before the answer
                    server.transport.abort()
                    return "421 closing"
                return "250 2.0.0 queued"

        def authenticator(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and auth is not None and (
                data.login.decode(), data.password.decode()) == auth
            return AuthResult(success=ok, handled=False)

        kw: dict[str, Any] = {}
        if auth is not None:
            kw.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=bool(tls_context) and not implicit_tls)
        if tls_context is not None and not implicit_tls:
            kw.update(tls_context=tls_context, require_starttls=require_tls)
        from tests.support.notify_setup import free_port

        port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port,
                                     ssl_context=tls_context if implicit_tls else None, **kw)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def stop(self) -> None:
        self.controller.stop()
