"""``notify``: send one outbox notification (email or WhatsApp) exactly once; or, for the schedule
``weekly_summary``, queue every active candidate's summary of the ISO week.

Payload ``{"notification_id": id}``, written by :func:`core.notify.outbox.notify` in the transaction of
the event that caused it. The work is :func:`core.notify.sender.deliver`: a crash after the provider took
the message parks the task for a person (``needs_human``), never a second send. Payload
``{"weekly_summary": true, "period": ISO time}`` (the scheduler's) queues the summaries of the week the
period falls in (:func:`core.notify.triggers.weekly_summaries`), once per candidate per week.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import Field, model_validator

from core.agent import Agent, AgentContext, AgentResult, Payload, register


class NotifyPayload(Payload):
    notification_id: int | None = Field(None, ge=1)
    weekly_summary: bool = False
    #: The scheduler's period (ISO time); the ISO week of this time, in the ``timezone`` setting, is summarised.
    period: datetime | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> NotifyPayload:
        if self.weekly_summary == (self.notification_id is not None):
            raise ValueError("give either a notification_id or weekly_summary=true")
        return self


@register
class NotifyAgent(Agent):
    name = "notify"
    description = "Send one notification (email or WhatsApp) from the outbox, exactly once; or queue the weekly summaries."
    payload_model = NotifyPayload
    default_concurrency = 4
    max_attempts = 6
    lease_seconds = 60

    def handle(self, payload: NotifyPayload, ctx: AgentContext) -> AgentResult:
        # Imported here: the CLI loads every agent to list and validate them, and this one is heavy.
        if payload.weekly_summary:
            from core.notify import triggers

            when = payload.period or ctx.task.created_at or datetime.now(UTC)
            out = triggers.weekly_summaries(ctx.db, triggers.iso_week(when, ctx.settings.timezone))
            ctx.log(f"weekly summary {out['week']}: {out['queued']} queued for {out['candidates']} candidate(s)")
            return AgentResult(result=out)
        from core.notify.sender import deliver

        result = deliver(ctx.db, ctx.settings, int(payload.notification_id or 0), ctx.task, storage=ctx.storage,
                         log=lambda msg: ctx.log(msg))
        return AgentResult(result=result)
