"""``talvix notify test``: one message with the configured settings, outside the outbox; and masking of
addresses for anything an operator sees."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from core.errors import InvalidInput
from core.notify.channels import Accepted, DeliveryError, Message
from core.notify.channels.email import EmailChannel
from core.notify.channels.whatsapp import digits, whatsapp_client
from core.notify.settings import NotifySettings
from core.notify.templates import templates_for

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def mask(address: str) -> str:
    """``as***@example.com`` / ``+91******3210``: enough to recognise, not enough to use."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:2]}***@{domain}"
    d = digits(address)
    return f"+{d[:2]}{'*' * max(0, len(d) - 6)}{d[-4:]}" if len(d) > 6 else "***"


def normalise_phone(text: str) -> str:
    import phonenumbers

    try:
        num = phonenumbers.parse(text, "IN")
    except phonenumbers.NumberParseException:
        raise InvalidInput(f"--to: {mask(text)} is not a phone number (e.g. +91 98765 43210)") from None
    if not phonenumbers.is_valid_number(num):
        raise InvalidInput(f"--to: {mask(text)} is not a valid phone number (e.g. +91 98765 43210)")
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def send_test(cfg: NotifySettings, channel: str, to: str, *, language: str = "en") -> Accepted:
    """Send the ``test`` template to ``to``; raises :class:`DeliveryError` with the server's answer."""
    if channel == "email":
        if not _EMAIL.match(to.strip()):
            raise InvalidInput(f"--to: {to.strip()[:80]!r} is not an email address")
        to = to.strip()
    elif channel == "whatsapp":
        to = normalise_phone(to)
    else:
        raise InvalidInput(f"--channel must be email or whatsapp, got {channel!r}")
    rendered = templates_for(cfg.templates_dir).render(
        "test", language, {"sent_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")})
    message = Message(to=to, subject=rendered.subject, text=rendered.text, html=rendered.html, template="test",
                      language=language, template_params=rendered.params)
    if channel == "email":
        return EmailChannel(cfg.smtp).send(message)
    client = whatsapp_client(cfg.whatsapp)
    try:
        if client.exists(to) is False:
            raise DeliveryError(f"{client.provider}: {mask(to)} is not on WhatsApp", provider=client.provider,
                                kind="not_on_whatsapp")
        return client.send(message)
    finally:
        client.close()
