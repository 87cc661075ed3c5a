"""``apply``: fill the employer's form for one application in a real Chromium and submit it once.

Payload ``{"application_id": id}`` (plus ``approval`` added by the queue when an operator approves).
The work is :class:`core.apply_engine.engine.ApplyEngine`; this module maps its outcome onto the
queue: ``submitted``/``already_applied`` complete the task, ``awaiting_approval`` parks it with the
answer sheet and screenshots, ``needs_human`` and ``unknown_outcome`` park it for a person (never a
retry), a busy or soft-blocked site postpones it without using an attempt, a closed posting is
permanent. Browsers are expensive, so the agent's default global cap is 2 across every runner.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from core.agent import Agent, AgentContext, AgentResult, Payload, register
from core.applications import get_application
from core.apply_engine.browser import LowMemory
from core.apply_engine.engine import (
    ApplyEngine,
    ApplyRequest,
    resolve_documents,
    stricter,
)
from core.apply_engine.proxy import proxy_for
from core.apply_engine.sites import SiteBusy
from core.candidates.store import apply_settings, candidate_profile, candidate_proxy
from core.crypto import load_cipher, open_sealed, seal_answer_sheets
from core.errors import AwaitingApproval, NeedsHuman, PermanentError, RetryLater
from core.jobs.store import get_job, site_of
from core.notify import triggers


class ApplyPayload(Payload):
    application_id: int = Field(..., ge=1)


@register
class ApplyAgent(Agent):
    name = "apply"
    description = "Fill the employer's application form in Chromium, answer from the profile, submit exactly once."
    payload_model = ApplyPayload
    default_concurrency = 2
    global_concurrency = 2
    max_attempts = 3
    lease_seconds = 180

    def handle(self, payload: ApplyPayload, ctx: AgentContext) -> AgentResult:
        db, settings = ctx.db, ctx.settings
        app = get_application(db, payload.application_id)
        job = get_job(db, app["job_id"])
        url = job.get("apply_url") or job.get("url")
        if not url:
            raise PermanentError(f"job {job['id']} has no apply URL")
        if job.get("status") == "closed":
            raise PermanentError(f"job {job['id']} is closed")
        cipher = load_cipher(settings)
        profile = candidate_profile(db, cipher, app["candidate_id"])
        cand = apply_settings(db, app["candidate_id"])
        site = job.get("site") or site_of(url)
        approval = getattr(payload, "approval", None) or (payload.model_extra or {}).get("approval")
        approved = isinstance(approval, dict)
        # A candidate's replies (core.notify.inbound) fill questions without approving anything.
        answers = (payload.model_extra or {}).get("answers")
        # an operator's edits are sealed personal data (docs/hardening.md): opened here, where they are typed
        operator_edits = dict(approval.get("edits") or {}) if isinstance(approval, dict) else {}
        edits = open_sealed(cipher, {**(answers if isinstance(answers, dict) else {}), **operator_edits})
        # Whose each answer is: a candidate's reply is labelled as theirs on the sheet, an edit as the operator's.
        answer_sources = (payload.model_extra or {}).get("answer_sources")
        answer_sources = answer_sources if isinstance(answer_sources, dict) else {}
        edit_sources = {str(k): str(answer_sources.get(k) or "candidate reply")
                        for k in (answers if isinstance(answers, dict) else {}) if k not in operator_edits}
        docs = resolve_documents(ctx.storage, app.get("documents"), cand["resume_path"] if cand else None)
        policy = stricter(cand["apply_policy"] if cand else settings.apply.default_policy,
                          settings.apply.site_policies.get(site or ""))
        req = ApplyRequest(
            application_id=app["id"], url=url, profile=profile, documents=docs, candidate_id=app["candidate_id"],
            job_id=job["id"], site=site, submit=True, policy=policy, approved=approved, edits=edits,
            edit_sources=edit_sources,
            task=ctx.task, runner_id=ctx.runner_id,
        )
        engine = ApplyEngine(settings, db, ctx.storage, proxy=proxy_for(settings, site, candidate_proxy(db, cipher, app["candidate_id"])),
                             log_fn=ctx.log,
                             cancelled=ctx.cancelled.is_set)
        ctx.log(f"applying on {site} ({'approved' if approved else policy})")
        try:
            out = engine.run(req)
        except SiteBusy as exc:
            raise RetryLater(str(exc), max(1.0, exc.delay_s)) from None
        except LowMemory as exc:  # not now: no browser started, no attempt counted, the site's slot kept
            raise RetryLater(f"{exc}; trying again in {exc.delay_s:.0f}s (lower the apply agent's concurrency "
                             "on this host, or give it more memory)", max(1.0, exc.delay_s)) from None
        documents = {k: {"name": v.name} for k, v in (("resume", docs.resume), ("cover_letter", docs.cover_letter)) if v}
        # the answers are the candidate's personal data: sealed in tasks.result (docs/hardening.md)
        data = seal_answer_sheets(cipher, out.approval_data(documents))
        result = {"outcome": out.outcome, "ats": out.ats, "reason": out.reason, "receipt": out.receipt,
                  "screenshots": out.screenshots, "confirmation": out.confirmation, "timings": out.timings}
        task_id = ctx.task.id
        if out.outcome == "submitted":
            def tell_candidate(conn: Any) -> None:
                triggers.on_submitted(conn, app["id"])

            return AgentResult(result=result, in_tx=tell_candidate)
        if out.outcome == "already_applied":
            return AgentResult(result=result)
        if out.outcome == "awaiting_approval":
            raise AwaitingApproval(out.reason, data, in_tx=lambda conn: triggers.on_awaiting_approval(
                conn, task_id, app["id"], out.reason))
        if out.outcome == "needs_human" and out.blocked is not None and not out.blocked.until_resumed:
            raise RetryLater(out.reason, out.retry_after_s or 3600.0)
        if out.outcome == "needs_human":
            # Questions the profile cannot answer are put to the candidate; their reply resumes this task.
            raise NeedsHuman(out.reason, data, in_tx=lambda conn: triggers.on_needs_answer(
                conn, task_id, app["id"], out.reason, out.unanswered, out.fields(), answers))
        if out.outcome == "unknown_outcome":
            raise NeedsHuman(f"{out.outcome}: {out.reason}", data)
        if out.outcome == "failed" and out.network:
            raise ConnectionError(out.reason)  # a network error: the queue's retries (and backoff) apply
        if out.outcome == "failed" and "closed" in out.reason:
            raise PermanentError(out.reason)
        raise RuntimeError(out.reason or "apply failed")
