"""``read_mail``: read the configured mailboxes (``{"mailbox": name}`` for one) and store what is new,
linked and classified, for an operator to confirm (:mod:`core.outcomes.mail`). Nothing configured: nothing read."""

from __future__ import annotations

from core.agent import Agent, AgentContext, AgentResult, Payload, register
from core.errors import ConfigError, PermanentError


class ReadMailPayload(Payload):
    mailbox: str | None = None


@register
class ReadMail(Agent):
    name = "read_mail"
    description = "Read candidates' or shared IMAP mailboxes; link and classify replies for an operator to confirm."
    payload_model = ReadMailPayload
    default_concurrency = 1
    global_concurrency = 1
    max_attempts = 3

    def handle(self, payload: ReadMailPayload, ctx: AgentContext) -> AgentResult:
        from core.crypto import load_cipher
        from core.outcomes import mail

        try:
            out = mail.sync(ctx.db, load_cipher(ctx.settings), ctx.settings, payload.mailbox)
        except ConfigError as exc:
            raise PermanentError(str(exc)) from None
        for box in out:
            ctx.log(f"mailbox {box['mailbox']}: {box['fetched']} new", **box["counts"])
        return AgentResult(result={"mailboxes": [{k: b[k] for k in ("mailbox", "fetched", "counts")} for b in out]})
