"""Delivery channels: one ``send(message) -> Accepted`` interface for email and every WhatsApp provider.

A channel either returns :class:`Accepted` (the provider took the message; its id is recorded) or raises
:class:`DeliveryError`, which says whether the message surely did not go out (``sent=False``: safe to retry
or give up) or might have (``sent=None``: a person checks, it is never sent again automatically).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass
class Message:
    to: str                      # an email address, or a phone number in E.164 (+9198...)
    subject: str
    text: str
    html: str | None = None
    attachments: list[Path] = field(default_factory=list)
    template: str = ""
    language: str = "en"
    #: Ordered parameters of the approved Cloud API template (used outside the 24-hour window).
    template_params: list[str] = field(default_factory=list)
    #: The candidate wrote to us within the last 24 hours (Cloud API free-form window).
    in_window: bool = False
    #: Email written in a candidate's name (a follow-up to an employer): the From display name, the From
    #: address when the relay may send as the candidate (else the configured sender), and the Reply-To.
    from_name: str | None = None
    from_address: str | None = None
    reply_to: str | None = None


@dataclass
class Accepted:
    provider: str
    provider_ref: str
    detail: str = ""
    #: WhatsApp: the message id of each document sent after the text, by file name.
    attachment_refs: dict[str, str] = field(default_factory=dict)
    #: WhatsApp: documents that did not go (the text did, so nothing is resent): name -> why.
    attachment_errors: dict[str, str] = field(default_factory=dict)


class DeliveryError(Exception):
    """The provider did not take the message (or we cannot tell). ``str()`` is the provider's error."""

    def __init__(self, message: str, *, provider: str, kind: str = "error", retryable: bool = False,
                 sent: bool | None = False, delay_s: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        #: not_on_whatsapp | window | rate_limit | auth | rejected | unavailable | ambiguous | config | error
        self.kind = kind
        self.retryable = retryable
        self.sent = sent           # False: surely not sent; None: it may have been
        self.delay_s = delay_s
        self.status = status


class Channel(Protocol):
    name: str
    provider: str

    def send(self, message: Message) -> Accepted: ...

    def exists(self, to: str) -> bool | None:
        """Whether ``to`` can receive on this channel (None: the provider cannot tell)."""
        ...
