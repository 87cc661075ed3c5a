"""``maintenance``: housekeeping that schedules enqueue (event retention, old runner rows).

Scheduled as a task (not run inside the scheduler) so that three hosts firing the same schedule make one
task, and the work shows in the queue with its outcome like any other.
Payload ``{"action": "purge_events", "older_than_days": N}`` or ``{"action": "purge_runners",
"older_than_days": N}``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.agent import Agent, AgentContext, AgentResult, Payload, register
from core.events import purge_events
from core.fleet import purge_gone


class MaintenancePayload(Payload):
    action: Literal["purge_events", "purge_runners"]
    older_than_days: int | None = Field(None, ge=1)


@register
class Maintenance(Agent):
    name = "maintenance"
    description = "Housekeeping: purge events past retention, forget runners long gone."
    payload_model = MaintenancePayload
    default_concurrency = 1
    global_concurrency = 1
    max_attempts = 3

    def handle(self, payload: MaintenancePayload, ctx: AgentContext) -> AgentResult:
        days = payload.older_than_days or ctx.settings.queue.event_retention_days
        if payload.action == "purge_events":
            n = purge_events(ctx.db, days)
            ctx.log(f"purged {n} event(s) older than {days} days", deleted=n)
        else:
            n = purge_gone(ctx.db, days)
            ctx.log(f"forgot {n} runner(s) gone for more than {days} days", deleted=n)
        return AgentResult(result={"action": payload.action, "deleted": n, "older_than_days": days})
