"""What an agent is, and the registry the runners and ``talvix agents`` read.

An agent is one module in ``agents/``: a name, a pydantic payload model, and a handler that gets a
:class:`AgentContext` and returns an :class:`AgentResult` (a result, artifacts already written through
``ctx.storage``, and follow-on tasks). The runner commits the result, the follow-ons and the status
change in one transaction. To stop for a person the handler raises :class:`core.errors.NeedsHuman` or
:class:`core.errors.AwaitingApproval`; :class:`core.errors.PermanentError` skips retries.
"""

from __future__ import annotations

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
    db: Database
    storage: Storage
    settings: Settings
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


_REGISTRY: dict[str, Agent] = {}
log = logging.getLogger("talvix.agents")


def register(cls: type[Agent]) -> type[Agent]:
    """Class decorator: make an agent known to runners and the CLI."""
    _REGISTRY[cls.name] = cls()
    return cls


def registered() -> dict[str, Agent]:
    """The agents registered so far, by name (``agents.registry()`` imports them all first)."""
    return dict(sorted(_REGISTRY.items()))


def get_agent(name: str) -> Agent:
    """The agent called ``name``; an unknown name is refused (exit 2) with the names this build knows."""
    reg = registered()
    if name not in reg:
        from core.errors import InvalidInput

        raise InvalidInput(f"unknown agent {name!r}; known agents: {', '.join(reg) or 'none'} "
                           "(see talvix agents)")
    return reg[name]


def payload_keys(agent: Agent) -> set[str]:
    """The keys an operator may give in ``agent``'s payload: its model's fields (and their aliases)."""
    keys: set[str] = set()
    for name, info in agent.payload_model.model_fields.items():
        keys.add(name)
        if info.alias:
            keys.add(info.alias)
    return keys


def check_payload(agent: Agent, raw: dict[str, Any], where: str = "--payload") -> None:
    """Refuse at the door a payload that ``agent`` would reject when it runs: one line naming the field.

    Payload models keep unknown keys at run time (the queue adds ``approval``, the scheduler ``schedule``
    and ``period``), so an operator's payload is held to the model's own fields here, where a typo or a
    pre-set ``approval`` is refused instead of being queued.
    """
    from pydantic import ValidationError

    from core.errors import InvalidInput

    keys = payload_keys(agent)
    unknown = [k for k in raw if k not in keys]
    if unknown:
        raise InvalidInput(f"{where}: unknown key {_short(unknown[0])} for agent {agent.name!r} "
                           f"(its keys: {', '.join(sorted(keys)) or 'none'})")
    nul = _nul_path(raw)
    if nul is not None:
        raise InvalidInput(f"{where}: field {nul!r} holds a NUL character (\\u0000), which cannot be stored; "
                           "remove it")
    try:
        agent.parse_payload(raw)
    except ValidationError as exc:
        raise InvalidInput(f"{where}: {describe_validation(exc)}") from None


def describe_validation(exc: Any) -> str:
    """The first problem of a pydantic ``ValidationError`` as a short phrase naming its field."""
    errors = exc.errors(include_url=False)
    if not errors:  # pragma: no cover - pydantic always reports one
        return "invalid"
    first = errors[0]
    message = str(first.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    loc = ".".join(str(p) for p in first.get("loc", ()))
    if first.get("type") == "missing":
        text = f"field {loc!r} is required"
    elif loc:
        text = f"field {loc!r}: {message} (got {_short(first.get('input'))})"
    else:
        text = message
    if len(errors) > 1:
        text += f"; and {len(errors) - 1} more problem(s)"
    return text


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _nul_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (key or value) holding a NUL character, if any."""
    if isinstance(value, str):
        return (path or "payload") if "\x00" in value else None
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{path}.{k}" if path else str(k)
            if "\x00" in str(k):
                return here
            found = _nul_path(v, here)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, v in enumerate(value):
            found = _nul_path(v, f"{path}[{i}]")
            if found is not None:
                return found
    return None
