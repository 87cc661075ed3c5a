"""``calibrate``: refit the calibration of scoring from confirmed outcomes (nightly, and ``talvix calibrate``).

Below ``outcomes.min_outcomes`` it succeeds having done nothing (the result says how many more are
needed). Otherwise it saves a new version, shipped or rejected; the maths is :mod:`core.outcomes.calibration`.
"""

from __future__ import annotations

from core.agent import Agent, AgentContext, AgentResult, Payload, register


class CalibratePayload(Payload):
    pass


@register
class Calibrate(Agent):
    name = "calibrate"
    description = "Fit scoring to confirmed outcomes; ship the calibration only when it ranks better beyond noise."
    payload_model = CalibratePayload
    default_concurrency = 1
    global_concurrency = 1
    max_attempts = 2
    lease_seconds = 600

    def handle(self, payload: CalibratePayload, ctx: AgentContext) -> AgentResult:
        # Imported here: the CLI loads every agent to list and validate them, and this one is heavy.
        from core.outcomes import calibration

        try:
            report = calibration.run(ctx.db, ctx.storage, ctx.settings, who=f"agent:calibrate:{ctx.task.id}")
        except calibration.NotEnoughOutcomes as exc:
            ctx.log(str(exc))
            return AgentResult(result={"status": "not_enough_outcomes", "message": str(exc),
                                       "confirmed": calibration.confirmed_count(ctx.db),
                                       "needed": ctx.settings.outcomes.min_outcomes})
        ctx.log(f"calibration v{report['version']} {report['status']}: {report['reason']}",
                level="info" if report["active"] else "warning")
        return AgentResult(result={k: report[k] for k in ("version", "status", "active", "reason", "path",
                                                          "n_outcomes", "n_holdout", "figures", "test")})
