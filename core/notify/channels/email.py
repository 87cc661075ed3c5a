"""Email over SMTP (stdlib ``smtplib``): STARTTLS, SSL or plain, optional login, attachments.

The message id we generate is the provider reference. An SMTP 4xx answer is retried, 5xx is permanent;
a connection lost after the message data was handed over is an unknown outcome (a person checks).
"""

from __future__ import annotations

import mimetypes
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from core.notify.channels import Accepted, DeliveryError, Message
from core.notify.settings import SmtpSettings

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def build_email(cfg: SmtpSettings, message: Message) -> EmailMessage:
    msg = EmailMessage()
    sender = message.from_address or cfg.sender or ""
    msg["From"] = formataddr((message.from_name, sender)) if message.from_name else sender
    if message.reply_to:
        msg["Reply-To"] = message.reply_to
    msg["To"] = message.to
    msg["Subject"] = message.subject
    msg["Date"] = formatdate(localtime=False)
    domain = (sender or "talvix.local").rpartition("@")[2] or "talvix.local"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(message.text)
    if message.html:
        msg.add_alternative(message.html, subtype="html")
    for path in message.attachments:
        data = path.read_bytes()
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise DeliveryError(f"attachment {path.name} is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB",
                                provider="smtp", kind="rejected")
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
    return msg


def _reply_text(exc: smtplib.SMTPResponseException) -> str:
    err = exc.smtp_error
    text = err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err)
    return f"{exc.smtp_code} {text}".strip()


class EmailChannel:
    name = "email"
    provider = "smtp"

    def __init__(self, cfg: SmtpSettings, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.cfg = cfg
        self.ssl_context = ssl_context or ssl.create_default_context(cafile=cfg.ca_file)

    def exists(self, to: str) -> bool | None:
        return None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.cfg
        if not cfg.configured:
            raise DeliveryError("email is not configured: set SMTP_SERVER and SENDER_EMAIL", provider="smtp",
                                kind="config")
        try:
            if cfg.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.server or "", cfg.port, timeout=cfg.timeout_s,
                                                      context=self.ssl_context)
            else:
                smtp = smtplib.SMTP(cfg.server or "", cfg.port, timeout=cfg.timeout_s)
            smtp.ehlo()
            if cfg.security == "starttls":
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
            if cfg.password:
                smtp.login(cfg.username or cfg.sender or "", cfg.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP login refused: {_reply_text(exc)}", provider="smtp", kind="auth") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"SMTP server {cfg.server}:{cfg.port}: {exc}", provider="smtp", kind="config") from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP server refused the session: {_reply_text(exc)}", provider="smtp",
                                kind="unavailable", retryable=exc.smtp_code < 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot reach SMTP server {cfg.server}:{cfg.port}: {type(exc).__name__}: {exc}",
                                provider="smtp", kind="unavailable", retryable=True) from None
        return smtp

    def send(self, message: Message) -> Accepted:
        email = build_email(self.cfg, message)
        smtp = self._connect()
        try:
            try:
                refused = smtp.send_message(email)
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [c for c, _ in exc.recipients.values()]
                retry = all(c < 500 for c in codes)
                first = next(iter(exc.recipients.values()))
                text = first[1].decode("utf-8", "replace") if isinstance(first[1], bytes) else str(first[1])
                raise DeliveryError(f"recipient refused: {first[0]} {text}", provider="smtp", kind="rejected",
                                    retryable=retry) from None
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                raise DeliveryError(f"message refused: {_reply_text(exc)}", provider="smtp", kind="rejected",
                                    retryable=exc.smtp_code < 500) from None
            except (smtplib.SMTPServerDisconnected, TimeoutError, ConnectionError) as exc:
                raise DeliveryError(f"connection lost while the message was handed over ({type(exc).__name__}): "
                                    "it may or may not have been accepted", provider="smtp", kind="ambiguous",
                                    sent=None) from None
            if refused:
                raise DeliveryError("recipient refused", provider="smtp", kind="rejected")
        finally:
            try:
                smtp.quit()
            except Exception:  # noqa: BLE001 - the message is already accepted or already failed
                smtp.close()
        return Accepted(provider="smtp", provider_ref=str(email["Message-ID"]).strip("<>"))
