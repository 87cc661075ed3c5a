"""Domain records shared by every part of Talvix (plain dataclasses inside; pydantic at the edges)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

TASK_STATES = ("queued", "running", "succeeded", "failed", "dead", "cancelled", "awaiting_approval", "needs_human")
#: States an operator may retry from.
RETRYABLE_STATES = ("failed", "dead", "cancelled", "needs_human")
#: States that wait for a person.
HUMAN_STATES = ("awaiting_approval", "needs_human")
APPLICATION_STATES = (
    "matched", "preparing", "ready", "awaiting_approval", "applying", "submitted",
    "failed", "unknown_outcome", "needs_human", "withdrawn",
)
EVENT_LEVELS = ("debug", "info", "warning", "error")


@dataclass
class Task:
    id: int
    agent: str
    payload: dict[str, Any]
    status: str
    priority: int = 0
    run_at: datetime | None = None
    attempts: int = 0
    max_attempts: int = 5
    lease_until: datetime | None = None
    locked_by: str | None = None
    last_error: str | None = None
    result: dict[str, Any] | None = None
    idempotency_key: str | None = None
    candidate_id: int | None = None
    job_id: int | None = None
    application_id: int | None = None
    parent_id: int | None = None
    site: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Task:
        names = _TASK_FIELDS
        return cls(**{k: v for k, v in row.items() if k in names})

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = v.isoformat() if isinstance(v, datetime) else v
        return out


_TASK_FIELDS = {f.name for f in fields(Task)}


@dataclass
class NewTask:
    """A task to enqueue (directly, or as a follow-on committed with its parent's completion)."""

    agent: str
    payload: dict[str, Any] = field(default_factory=dict)
    key: str | None = None  # idempotency key: a second enqueue with the same key returns the first task
    priority: int = 0
    run_at: datetime | None = None
    max_attempts: int | None = None
    candidate_id: int | None = None
    job_id: int | None = None
    application_id: int | None = None
    site: str | None = None
