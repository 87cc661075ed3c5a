"""``notify``: send one outbox notification (email or WhatsApp) exactly once.

Payload ``{"notification_id": id}``, written by :func:`core.notify.outbox.notify` in the transaction of
the event that caused it. The work is :func:`core.notify.sender.deliver`: a crash after the provider took
the message parks the task for a person (``needs_human``), never a second send.
"""

from __future__ import annotations

from pydantic import Field

from core.agent import Agent, AgentContext, AgentResult, Payload, register


class NotifyPayload(Payload):
    notification_id: int = Field(..., ge=1)


@register
class NotifyAgent(Agent):
    name = "notify"
    description = "Send one notification (email or WhatsApp) from the outbox, exactly once."
    payload_model = NotifyPayload
    default_concurrency = 4
    max_attempts = 6
    lease_seconds = 60

    def handle(self, payload: NotifyPayload, ctx: AgentContext) -> AgentResult:
        # Imported here: the CLI loads every agent to list and validate them, and this one is heavy.
        from core.notify.sender import deliver

        result = deliver(ctx.db, ctx.settings, payload.notification_id, ctx.task, storage=ctx.storage,
                         log=lambda msg: ctx.log(msg))
        return AgentResult(result=result)
