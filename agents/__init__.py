"""The agents: one thin module per agent, each a task adapter (its payload model, ``handle``, its follow-ons).

The work itself lives in ``core`` (one package per capability); an agent maps a task's payload onto it and
its outcome onto the queue. Agents register themselves with :func:`core.agent.register` when imported;
:func:`load` imports every one, and the layers above (the CLI, the console, runners) go through
:func:`registry` and :func:`get_agent` here, so the core never names an agent module. A new agent is a
module here and its name in :data:`MODULES`.
"""

from __future__ import annotations

import importlib
import threading

from core import agent as _agent
from core.agent import Agent

#: Every agent module, in the order ``talvix agents`` lists them.
MODULES = ("ping", "maintenance", "resume_parse", "tailor", "cover_letter", "interview_prep", "discover",
           "jd_parse", "score", "apply", "notify", "calibrate", "follow_up", "read_mail")

_lock = threading.Lock()
_loaded = False


def load() -> None:
    """Import every agent module once (each registers its agent)."""
    global _loaded
    with _lock:
        if not _loaded:
            for name in MODULES:
                importlib.import_module(f"agents.{name}")
            _loaded = True


def registry() -> dict[str, Agent]:
    """Every agent this build knows, by name."""
    load()
    return _agent.registered()


def get_agent(name: str) -> Agent:
    """The agent called ``name``; an unknown name is refused (exit 2) with the names this build knows."""
    load()
    return _agent.get_agent(name)
