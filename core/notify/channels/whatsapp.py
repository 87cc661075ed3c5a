"""WhatsApp clients behind one interface: WAHA and Evolution API v2 (HTTP gateways in front of a
WhatsApp-Web bridge) and the official WhatsApp Cloud API.

Request shapes, as the providers document them:
- WAHA: ``POST /api/sendText`` ``{"session", "chatId": "<digits>@c.us", "text"}`` with ``X-Api-Key``; the
  answer is the message (``id`` a string or ``{"_serialized": ...}``). ``GET /api/contacts/check-exists?
  phone=&session=`` answers ``{"numberExists": bool, "chatId"}``.
- Evolution v2: ``POST /message/sendText/<instance>`` ``{"number", "text"}`` with ``apikey``; the answer has
  ``key.id``. ``POST /chat/whatsappNumbers/<instance>`` ``{"numbers": [...]}`` answers ``[{"exists", "jid",
  "number"}]``; sending to a number without WhatsApp answers 400 with ``response.message[].exists == false``.
- Cloud API: ``POST /<version>/<phone-number-id>/messages`` with ``Authorization: Bearer``; a text message
  only inside the 24-hour customer-service window, otherwise an approved template. The answer has
  ``messages[0].id``; errors are ``{"error": {"message", "code", "error_data": {"details"}}}`` (131047: outside
  the window, 131026: undeliverable, 130429/131056/80007: rate limits, 190: bad token).

Documents (the tailored resume, the cover letter, a prep pack) follow the text, one message each:
- WAHA: ``POST /api/sendFile`` ``{"session", "chatId", "file": {"mimetype", "filename", "data": <base64>},
  "caption"}``.
- Evolution v2: ``POST /message/sendMedia/<instance>`` ``{"number", "mediatype": "document", "mimetype",
  "media": <base64>, "fileName", "caption"}``; the answer has ``key.id``.
- Cloud API: the file is uploaded first, ``POST /<version>/<phone-number-id>/media`` (multipart:
  ``messaging_product=whatsapp``, ``type``, ``file``) answering ``{"id"}``; then a message ``{"type":
  "document", "document": {"id", "filename", "caption"}}``. A document is not a template, so it goes only
  inside the 24-hour window; outside it the template goes alone and the documents are reported not sent.

The text is the message: once it is accepted, a document that fails is reported (``attachment_errors``),
never a reason to send the text again.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from typing import Any

import httpx

from core import netguard
from core.notify.channels import Accepted, DeliveryError, Message
from core.notify.settings import WhatsAppSettings

#: The largest document sent over WhatsApp (the providers take up to 100 MB; a resume is far smaller).
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
RATE_LIMIT_CODES = {4, 80007, 130429, 131056, 131048}
WINDOW_CODES = {131047}
UNDELIVERABLE_CODES = {131026}
AUTH_CODES = {190, 0, 10}


def digits(phone: str) -> str:
    """The number as WhatsApp ids use it: country code and number, digits only."""
    return re.sub(r"\D", "", phone or "")


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def _error_text(body: Any, resp: httpx.Response) -> str:
    if isinstance(body, dict):
        for key in ("message", "error"):
            val = body.get(key)
            if isinstance(val, str) and val:
                inner = body.get("response")
                if isinstance(inner, dict) and inner.get("message"):
                    return f"{val}: {inner['message']}"
                return val
            if isinstance(val, dict) and val.get("message"):
                return str(val["message"])
    text = resp.text.strip()
    return text[:300] if text else f"HTTP {resp.status_code}"


def _retry_after(resp: httpx.Response, default: float = 60.0) -> float:
    raw = resp.headers.get("retry-after", "")
    try:
        return max(1.0, float(raw))
    except ValueError:
        return default


class _HttpClient:
    name = "whatsapp"
    provider = "http"

    def __init__(self, cfg: WhatsAppSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.cfg = cfg
        self.http = httpx.Client(timeout=httpx.Timeout(cfg.timeout_s, connect=min(10.0, cfg.timeout_s)),
                                 event_hooks=netguard.httpx_hooks(), transport=transport, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def _request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """One call. Errors before the request left are 'not sent'; after, 'may have been sent'."""
        try:
            return self.http.request(method, url, **kw)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise DeliveryError(f"cannot reach the {self.provider} gateway: {type(exc).__name__}",
                                provider=self.provider, kind="unavailable", retryable=True) from None
        except httpx.TransportError as exc:
            raise DeliveryError(f"the {self.provider} gateway did not answer ({type(exc).__name__}): the message "
                                "may or may not have been sent", provider=self.provider, kind="ambiguous",
                                sent=None) from None

    def _http_error(self, resp: httpx.Response, body: Any) -> DeliveryError:
        text = f"{self.provider} answered {resp.status_code}: {_error_text(body, resp)}"
        if resp.status_code == 429:
            return DeliveryError(text, provider=self.provider, kind="rate_limit", retryable=True,
                                 delay_s=_retry_after(resp), status=429)
        if resp.status_code in (401, 403):
            return DeliveryError(text, provider=self.provider, kind="auth", status=resp.status_code)
        if resp.status_code == 504:
            return DeliveryError(text + " (the gateway timed out: the message may or may not have been sent)",
                                 provider=self.provider, kind="ambiguous", sent=None, status=504)
        if resp.status_code >= 500:
            return DeliveryError(text, provider=self.provider, kind="unavailable", retryable=True,
                                 status=resp.status_code)
        return DeliveryError(text, provider=self.provider, kind="rejected", status=resp.status_code)

    def send_document(self, to: str, path: Path, caption: str) -> str:
        """Send one document; its message id. Raises :class:`DeliveryError`."""
        raise NotImplementedError

    def _with_documents(self, accepted: Accepted, message: Message) -> Accepted:
        """After the text: each attachment as a document message; a failure is reported, not raised."""
        for path in message.attachments:
            try:
                if path.stat().st_size > MAX_DOCUMENT_BYTES:
                    raise DeliveryError(f"larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB", provider=self.provider,
                                        kind="rejected")
                accepted.attachment_refs[path.name] = self.send_document(message.to, path, path.name)
            except DeliveryError as exc:
                accepted.attachment_errors[path.name] = str(exc)
            except OSError as exc:
                accepted.attachment_errors[path.name] = f"cannot read it: {type(exc).__name__}"
        return accepted


def _file(path: Path) -> tuple[str, bytes]:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream", path.read_bytes()


class WahaClient(_HttpClient):
    provider = "waha"

    def _headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.cfg.gateway_token or "", "Accept": "application/json"}

    def exists(self, to: str) -> bool | None:
        resp = self._request("GET", f"{self.cfg.gateway_url}/api/contacts/check-exists",
                             params={"phone": digits(to), "session": self.cfg.session}, headers=self._headers())
        body = _json(resp)
        if resp.status_code != 200 or not isinstance(body, dict):
            raise self._http_error(resp, body)
        return bool(body.get("numberExists"))

    def send(self, message: Message) -> Accepted:
        resp = self._request("POST", f"{self.cfg.gateway_url}/api/sendText", headers=self._headers(),
                             json={"session": self.cfg.session, "chatId": f"{digits(message.to)}@c.us",
                                   "text": message.text})
        body = _json(resp)
        if resp.status_code not in (200, 201):
            raise self._http_error(resp, body)
        ident = body.get("id") if isinstance(body, dict) else None
        if isinstance(ident, dict):
            ident = ident.get("_serialized") or ident.get("id")
        if not ident:
            raise DeliveryError("waha accepted the request but gave no message id", provider="waha",
                                kind="ambiguous", sent=None)
        return self._with_documents(Accepted(provider="waha", provider_ref=str(ident)), message)

    def send_document(self, to: str, path: Path, caption: str) -> str:
        mime, data = _file(path)
        resp = self._request("POST", f"{self.cfg.gateway_url}/api/sendFile", headers=self._headers(),
                             json={"session": self.cfg.session, "chatId": f"{digits(to)}@c.us", "caption": caption,
                                   "file": {"mimetype": mime, "filename": path.name,
                                            "data": base64.b64encode(data).decode("ascii")}})
        body = _json(resp)
        if resp.status_code not in (200, 201):
            raise self._http_error(resp, body)
        ident = body.get("id") if isinstance(body, dict) else None
        if isinstance(ident, dict):
            ident = ident.get("_serialized") or ident.get("id")
        return str(ident or "")


class EvolutionClient(_HttpClient):
    provider = "evolution"

    def _headers(self) -> dict[str, str]:
        return {"apikey": self.cfg.gateway_token or "", "Accept": "application/json"}

    def exists(self, to: str) -> bool | None:
        resp = self._request("POST", f"{self.cfg.gateway_url}/chat/whatsappNumbers/{self.cfg.instance}",
                             headers=self._headers(), json={"numbers": [digits(to)]})
        body = _json(resp)
        if resp.status_code not in (200, 201) or not isinstance(body, list):
            raise self._http_error(resp, body)
        return any(bool(item.get("exists")) for item in body if isinstance(item, dict))

    def send(self, message: Message) -> Accepted:
        resp = self._request("POST", f"{self.cfg.gateway_url}/message/sendText/{self.cfg.instance}",
                             headers=self._headers(), json={"number": digits(message.to), "text": message.text})
        body = _json(resp)
        if resp.status_code not in (200, 201):
            inner = body.get("response") if isinstance(body, dict) else None
            items = inner.get("message") if isinstance(inner, dict) else None
            if resp.status_code == 400 and isinstance(items, list) and any(
                    isinstance(i, dict) and i.get("exists") is False for i in items):
                raise DeliveryError("evolution answered 400: the number is not on WhatsApp", provider="evolution",
                                    kind="not_on_whatsapp", status=400)
            raise self._http_error(resp, body)
        key = body.get("key") if isinstance(body, dict) else None
        ident = key.get("id") if isinstance(key, dict) else None
        if not ident:
            raise DeliveryError("evolution accepted the request but gave no message id", provider="evolution",
                                kind="ambiguous", sent=None)
        return self._with_documents(Accepted(provider="evolution", provider_ref=str(ident)), message)

    def send_document(self, to: str, path: Path, caption: str) -> str:
        mime, data = _file(path)
        resp = self._request("POST", f"{self.cfg.gateway_url}/message/sendMedia/{self.cfg.instance}",
                             headers=self._headers(),
                             json={"number": digits(to), "mediatype": "document", "mimetype": mime, "caption": caption,
                                   "media": base64.b64encode(data).decode("ascii"), "fileName": path.name})
        body = _json(resp)
        if resp.status_code not in (200, 201):
            raise self._http_error(resp, body)
        key = body.get("key") if isinstance(body, dict) else None
        return str((key.get("id") if isinstance(key, dict) else None) or "")


class CloudClient(_HttpClient):
    provider = "cloud"

    def _url(self) -> str:
        return f"{self.cfg.cloud_url}/{self.cfg.cloud_version}/{self.cfg.cloud_phone_number_id}/messages"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.cfg.cloud_token or ''}", "Accept": "application/json"}

    def exists(self, to: str) -> bool | None:
        return None  # the Cloud API has no lookup; an undeliverable number is reported on send

    def _post(self, payload: dict[str, Any]) -> Accepted:
        resp = self._request("POST", self._url(), headers=self._headers(), json=payload)
        return self._answer(resp)

    def _answer(self, resp: httpx.Response) -> Accepted:
        body = _json(resp)
        if resp.status_code == 200 and isinstance(body, dict):
            msgs = body.get("messages")
            if isinstance(msgs, list) and msgs and isinstance(msgs[0], dict) and msgs[0].get("id"):
                return Accepted(provider="cloud", provider_ref=str(msgs[0]["id"]))
            raise DeliveryError("cloud api accepted the request but gave no message id", provider="cloud",
                                kind="ambiguous", sent=None)
        err = body.get("error") if isinstance(body, dict) else None
        if not isinstance(err, dict):
            raise self._http_error(resp, body)
        code = err.get("code")
        details = (err.get("error_data") or {}).get("details") if isinstance(err.get("error_data"), dict) else None
        text = f"cloud api error {code}: {err.get('message', '')}" + (f" ({details})" if details else "")
        if code in WINDOW_CODES:
            return_err = DeliveryError(text, provider="cloud", kind="window", status=resp.status_code)
        elif code in UNDELIVERABLE_CODES:
            return_err = DeliveryError(text, provider="cloud", kind="not_on_whatsapp", status=resp.status_code)
        elif code in RATE_LIMIT_CODES or resp.status_code == 429:
            return_err = DeliveryError(text, provider="cloud", kind="rate_limit", retryable=True,
                                       delay_s=_retry_after(resp), status=resp.status_code)
        elif code in AUTH_CODES or resp.status_code in (401, 403):
            return_err = DeliveryError(text, provider="cloud", kind="auth", status=resp.status_code)
        elif resp.status_code >= 500:
            return_err = DeliveryError(text, provider="cloud", kind="unavailable", retryable=True,
                                       status=resp.status_code)
        else:
            return_err = DeliveryError(text, provider="cloud", kind="rejected", status=resp.status_code)
        raise return_err

    def template_payload(self, message: Message) -> dict[str, Any]:
        return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": digits(message.to),
                "type": "template",
                "template": {"name": f"talvix_{message.template}", "language": {"code": message.language},
                             "components": [{"type": "body", "parameters": [
                                 {"type": "text", "text": p} for p in message.template_params]}]}}

    def send(self, message: Message) -> Accepted:
        """Free text inside the 24-hour window; the approved template outside it (or when the API says so).
        Documents follow only inside the window (a document message is not a template)."""
        if message.in_window:
            try:
                accepted = self._post({"messaging_product": "whatsapp", "recipient_type": "individual",
                                       "to": digits(message.to), "type": "text",
                                       "text": {"preview_url": False, "body": message.text}})
                return self._with_documents(accepted, message)
            except DeliveryError as exc:
                if exc.kind != "window":
                    raise
        accepted = self._post(self.template_payload(message))
        for path in message.attachments:
            accepted.attachment_errors[path.name] = ("not sent: outside the 24-hour window the Cloud API takes only "
                                                     "the approved template")
        return accepted

    def upload(self, path: Path) -> str:
        """``POST /<version>/<phone-number-id>/media``: the media id a document message names."""
        mime, data = _file(path)
        url = f"{self.cfg.cloud_url}/{self.cfg.cloud_version}/{self.cfg.cloud_phone_number_id}/media"
        resp = self._request("POST", url, headers=self._headers(), data={"messaging_product": "whatsapp", "type": mime},
                             files={"file": (path.name, data, mime)})
        body = _json(resp)
        if resp.status_code == 200 and isinstance(body, dict) and body.get("id"):
            return str(body["id"])
        raise self._http_error(resp, body)

    def send_document(self, to: str, path: Path, caption: str) -> str:
        media_id = self.upload(path)
        return self._post({"messaging_product": "whatsapp", "recipient_type": "individual", "to": digits(to),
                           "type": "document", "document": {"id": media_id, "filename": path.name,
                                                            "caption": caption}}).provider_ref


#: Any of the three WhatsApp providers' clients.
WhatsAppClient = WahaClient | EvolutionClient | CloudClient


def whatsapp_client(cfg: WhatsAppSettings, *, transport: httpx.BaseTransport | None = None) -> WhatsAppClient:
    if not cfg.configured:
        raise DeliveryError("WhatsApp is not configured: set WA_PROVIDER and WA_GATEWAY_URL (or, for the Cloud API, "
                            "WA_CLOUD_PHONE_NUMBER_ID and WA_CLOUD_TOKEN)", provider=cfg.provider or "whatsapp",
                            kind="config")
    classes: dict[str, type[WahaClient] | type[EvolutionClient] | type[CloudClient]] = {
        "waha": WahaClient, "evolution": EvolutionClient, "cloud": CloudClient}
    return classes[cfg.provider or ""](cfg, transport=transport)
