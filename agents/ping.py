"""``ping``: a diagnostic agent for health checks, tests and benchmarks.

Payload ``{"ms": N}``: waits N milliseconds (waking early if the runner stops), returns the host and pid
that ran it.
"""

from __future__ import annotations

import os
import socket

from pydantic import Field

from core.agent import Agent, AgentContext, AgentResult, Payload, register


class PingPayload(Payload):
    ms: int = Field(0, ge=0, le=3_600_000)
    fail: bool = False  # for tests: raise instead of answering


@register
class Ping(Agent):
    name = "ping"
    description = "Diagnostic: waits payload.ms milliseconds, returns the host and pid that ran it."
    payload_model = PingPayload
    default_concurrency = 8

    def handle(self, payload: PingPayload, ctx: AgentContext) -> AgentResult:
        if payload.ms:
            ctx.cancelled.wait(payload.ms / 1000.0)
        if payload.fail:
            raise RuntimeError("ping asked to fail")
        return AgentResult(result={"host": socket.gethostname(), "pid": os.getpid(), "ms": payload.ms})
