"""What an agent is, and the registry the runners and ``talvix agents`` read.

An agent is one module in ``agents/``: a name, a pydantic payload model, and a handler that gets a
:class:`AgentContext` and returns an :class:`AgentResult` (a result, artifacts already written through
``ctx.storage``, and follow-on tasks). The runner commits the result, the follow-ons and the status
change in one transaction. To stop for a person the handler raises :class:`core.errors.NeedsHuman` or
:class:`core.errors.AwaitingApproval`; :class:`core.errors.PermanentError` skips retries.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from core.models import NewTask, Task

if TYPE_CHECKING:
    from core.config import Settings
    from core.db import Database
    from core.storage import Storage


class Payload(BaseModel):
    """Base for agent payload models: unknown keys are kept (e.g. an operator's ``approval``)."""

    model_config = ConfigDict(extra="allow")


@dataclass
class AgentResult:
    result: dict[str, Any] = field(default_factory=dict)
    follow_ons: list[NewTask] = field(default_factory=list)
    #: Extra writes committed in the same transaction as the completion (gets the open connection).
    in_tx: Callable[[Any], None] | None = None


@dataclass
class AgentContext:
    task: Task
    db: "Database"
    storage: "Storage"
    settings: "Settings"
    runner_id: str
    cancelled: threading.Event
    log_fn: Callable[..., None]
    llm: Any = None  # an LLM client when one is configured, else None

    def log(self, message: str, level: str = "info", **data: Any) -> None:
        """One event row (and, headless, one JSON line on stdout)."""
        self.log_fn(self, message, level, data)

    def check_cancelled(self) -> None:
        """Raise if the runner is stopping or the lease was lost, at a safe point in the handler."""
        if self.cancelled.is_set():
            from core.errors import LeaseLost

            raise LeaseLost(f"task {self.task.id} was cancelled or its lease lost")


class Agent:
    """Subclass, set the class attributes and implement :meth:`handle`."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    payload_model: ClassVar[type[BaseModel]] = Payload
    #: How many tasks of this agent one runner runs at once by default.
    default_concurrency: ClassVar[int] = 4
    #: Global cap across every runner on every host (None: no cap). Operators can override it.
    global_concurrency: ClassVar[int | None] = None
    max_attempts: ClassVar[int] = 5
    lease_seconds: ClassVar[int | None] = None

    def handle(self, payload: Any, ctx: AgentContext) -> AgentResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def parse_payload(self, raw: dict[str, Any]) -> Any:
        return self.payload_model.model_validate(raw)


#: Modules that define agents (each calls :func:`register`). Later issues append to this list.
AGENT_MODULES = [
    "agents.ping",
    "agents.maintenance",
    "agents.resume_parse",
    "agents.tailor",
    "agents.cover_letter",
    "agents.interview_prep",
    "agents.discover",
    "agents.jd_parse",
    "agents.score",
    "agents.apply",
]

_REGISTRY: dict[str, Agent] = {}
_LOADED = False
_lock = threading.Lock()
log = logging.getLogger("talvix.agents")


def register(cls: type[Agent]) -> type[Agent]:
    """Class decorator: make an agent known to runners and the CLI."""
    _REGISTRY[cls.name] = cls()
    return cls


def _load() -> None:
    global _LOADED
    with _lock:
        if _LOADED:
            return
        for mod in AGENT_MODULES:
            importlib.import_module(mod)
        _LOADED = True


def registry() -> dict[str, Agent]:
    _load()
    return dict(sorted(_REGISTRY.items()))


def get_agent(name: str) -> Agent:
    reg = registry()
    if name not in reg:
        from core.errors import TalvixError

        raise TalvixError(f"unknown agent {name!r}; known agents: {', '.join(reg) or 'none'}")
    return reg[name]
