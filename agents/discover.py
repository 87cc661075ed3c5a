"""``discover``: read one job source and bring the ``jobs`` table in line with it.

Payload ``{"source": "greenhouse:BOARD", "base_url": optional}``. Every listed posting is upserted under its
canonical key (``greenhouse:<board>:<id>``...), so running twice adds nothing; postings the source no
longer lists are closed, never deleted. New or changed descriptions get a ``jd_parse`` follow-on keyed
``jd_parse:job:<id>:<description sha>``.

A 429/403 pauses the source's host in the ``sites`` table with the reason (and a warning event), and the
task waits until the pause ends; an unknown or closed board (404) fails the task for good with a clear
message and touches nothing. ``talvix discover`` runs the same code in the foreground.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import field_validator

from core.agent import Agent, AgentContext, AgentResult, Payload, register
from core.errors import PermanentError, RetryLater, TalvixError
from core.jobs.sources import (
    SourceBlocked,
    SourceError,
    SourceNotFound,
    parse_source,
)

if TYPE_CHECKING:
    pass
from core.jobs.discovery import SourcePaused, discover


class DiscoverPayload(Payload):
    source: str
    base_url: str | None = None

    @field_validator("source")
    @classmethod
    def _valid_source(cls, value: str) -> str:
        try:
            parse_source(value)
        except TalvixError as exc:
            raise ValueError(str(exc)) from None
        return value


@register
class Discover(Agent):
    name = "discover"
    description = "Reads a job source (Greenhouse, Lever, Ashby, RSS/Atom, JobSpy) into jobs; closes unlisted ones."
    payload_model = DiscoverPayload
    default_concurrency = 2
    lease_seconds = 300

    def handle(self, payload: DiscoverPayload, ctx: AgentContext) -> AgentResult:
        try:
            report = discover(ctx.db, ctx.settings, payload.source, base_url=payload.base_url, task=ctx.task,
                              enqueue_follow_ons=False)
        except SourcePaused as exc:
            raise RetryLater(str(exc), delay_s=max(30.0, exc.remaining_s or 3600.0)) from None
        except SourceBlocked as exc:
            delay = exc.retry_after_s if exc.retry_after_s is not None else ctx.settings.discovery.pause_minutes * 60
            raise RetryLater(str(exc), delay_s=max(30.0, delay)) from None
        except SourceNotFound as exc:
            raise PermanentError(str(exc)) from None
        except SourceError:
            raise
        except TalvixError as exc:
            raise PermanentError(str(exc)) from None
        ctx.log(f"{report.listed} listed, {report.new} new, {report.changed} changed, {report.closed} closed",
                source=report.source)
        return AgentResult(result=report.as_json(), follow_ons=report.follow_ons)
