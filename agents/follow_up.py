"""``follow_up``: the daily sweep (``{"sweep": true}``) and one follow-up (``{"application_id", "seq"}``).

The sweep enqueues one task per application and period that is due; each task drafts the note (to the
recruiter, or a reminder to the candidate), holds it for an operator when the approval policy says so
(the task waits in ``awaiting_approval`` with the draft; approving may edit ``subject`` and ``body``), and
then queues it in the notifications outbox (an email to the recruiter from the candidate's sender identity,
or a reminder by the candidate's channels), which sends it exactly once. The logic is
:mod:`core.outcomes.followups`.
"""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from core.agent import Agent, AgentContext, AgentResult, Payload, register
from core.errors import AwaitingApproval, NotFound, PermanentError
from core.outcomes import followups


class FollowUpPayload(Payload):
    sweep: bool = False
    application_id: int | None = None
    seq: int | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> FollowUpPayload:
        if self.sweep == (self.application_id is not None):
            raise ValueError("give either sweep=true or an application_id (with seq)")
        if self.application_id is not None and (self.seq is None or self.seq < 1):
            raise ValueError("a follow-up of one application needs seq >= 1 (its period)")
        return self


@register
class FollowUp(Agent):
    name = "follow_up"
    description = "Follow up on submitted applications with no reply (sweep), or draft and send one follow-up."
    payload_model = FollowUpPayload
    default_concurrency = 2
    max_attempts = 3

    def handle(self, payload: FollowUpPayload, ctx: AgentContext) -> AgentResult:
        if payload.sweep:
            tasks = followups.sweep(ctx.db, ctx.settings)
            ctx.log(f"follow-up sweep: {len(tasks)} due")
            return AgentResult(result={"due": len(tasks)}, follow_ons=tasks)
        from core.crypto import load_cipher

        aid, seq = int(payload.application_id or 0), int(payload.seq or 0)
        cipher = load_cipher(ctx.settings)
        why_not = followups.still_wanted(ctx.db, aid)
        if why_not:
            followups.cancel(ctx.db, aid, seq, why_not)
            return AgentResult(result={"application_id": aid, "seq": seq, "status": "cancelled", "reason": why_not})
        try:
            fu = followups.draft(ctx.db, ctx.settings, cipher, aid, seq)
        except NotFound as exc:
            raise PermanentError(str(exc)) from None
        if fu["status"] in ("sent", "ready", "queued", "cancelled"):
            return AgentResult(result={"followup_id": fu["id"], "status": fu["status"], "created": False})
        approval: Any = (payload.model_extra or {}).get("approval")
        if fu["hold"] and not isinstance(approval, dict):
            followups.set_status(ctx.db, fu["id"], "awaiting_approval", task_id=ctx.task.id)
            raise AwaitingApproval(fu["hold"], {"follow_up": {k: fu[k] for k in (
                "id", "kind", "recipient", "subject", "body", "seq", "application_id")}})
        # an operator's edits are sealed in the payload when the approval came with a cipher (talvix approve)
        from core.crypto import open_sealed

        edits = open_sealed(cipher, dict(approval.get("edits") or {})) if isinstance(approval, dict) else {}
        out = followups.hand_over(ctx.db, ctx.settings, cipher, fu["id"], task=ctx.task, edits=edits)
        ctx.log(f"follow-up {seq} of application {aid}: {out['status']} ({out['kind']})")
        return AgentResult(result=out)
