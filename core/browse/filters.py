"""The console's filter language (``status:failed agent:apply text``): parsing, per-view field specs, SQL."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from core.db import like_escape
from core.errors import TalvixError
from core.models import TASK_STATES

#: Count queries give up after this long and the console shows the total as unknown ("?").
COUNT_TIMEOUT_MS = 3000


class FilterError(TalvixError):
    """A filter the operator typed cannot be understood; the message says what to type instead."""


# ------------------------------------------------------------------------------------------------
# Filter syntax
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    key: str
    values: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class Filter:
    terms: tuple[Term, ...] = ()
    text: str = ""  # the original text, shown back to the operator

    def __bool__(self) -> bool:
        return bool(self.terms)

    def get(self, key: str) -> Term | None:
        for t in self.terms:
            if t.key == key and not t.negated:
                return t
        return None


@dataclass(frozen=True)
class Field:
    """How one filter key reads in SQL: ``kind`` is eq (text), int, like (substring) or enum."""

    expr: str
    kind: str = "eq"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    """The filterable keys of one view; ``text`` is the key a bare word searches."""

    fields: dict[str, Field]
    text: str
    aliases: dict[str, str] = field(default_factory=dict)

    def resolve(self, key: str) -> str:
        key = self.aliases.get(key, key)
        if key not in self.fields:
            raise FilterError(f"unknown filter key {key!r}; use one of: {', '.join(sorted(self.fields))}")
        return key


TASK_SPEC = Spec(
    fields={
        "id": Field("t.id", "int"),
        "agent": Field("t.agent"),
        "status": Field("t.status", "enum", TASK_STATES),
        "site": Field("t.site"),
        "err": Field("t.last_error", "like"),
        "candidate": Field("t.candidate_id", "int"),
        "job": Field("t.job_id", "int"),
        "app": Field("t.application_id", "int"),
        "runner": Field("t.locked_by"),
        "key": Field("t.idempotency_key"),
    },
    text="err",
    aliases={"error": "err", "application": "app", "state": "status"},
)


EVENT_SPEC = Spec(
    fields={
        "agent": Field("agent"),
        "level": Field("level", "enum", ("debug", "info", "warning", "error")),
        "kind": Field("kind"),
        "task": Field("task_id", "int"),
        "candidate": Field("candidate_id", "int"),
        "job": Field("job_id", "int"),
        "app": Field("application_id", "int"),
        "runner": Field("runner_id"),
        "text": Field("message", "like"),
    },
    text="text",
    aliases={"msg": "text", "message": "text", "application": "app"},
)


JOB_SPEC = Spec(
    fields={
        "id": Field("j.id", "int"),
        "company": Field("j.company", "like"),
        "title": Field("j.title", "like"),
        "location": Field("j.location", "like"),
        "site": Field("j.site"),
        "ats": Field("j.ats"),
        "source": Field("j.source"),
        "status": Field("j.status", "enum", ("open", "closed")),
        "text": Field("(j.title || ' ' || j.company)", "like"),
    },
    text="text",
)


CANDIDATE_SPEC = Spec(
    fields={
        "id": Field("c.id", "int"),
        "name": Field("c.full_name", "like"),
        "location": Field("c.location", "like"),
        "status": Field("c.status", "enum", ("active", "paused", "archived")),
        "policy": Field("c.apply_policy", "enum", ("always", "when_uncertain", "never")),
    },
    text="name",
)


AUDIT_SPEC = Spec(
    fields={
        "actor": Field("o.actor", "like"),
        "action": Field("o.action"),
        "target": Field("o.target_type"),
        "id": Field("o.id", "int"),
        "text": Field("(o.action || ' ' || o.actor || ' ' || COALESCE(o.details::text, ''))", "like"),
    },
    text="text",
    aliases={"who": "actor", "what": "action"},
)


def parse_filter(text: str, spec: Spec) -> Filter:
    """Parse ``agent:apply !status:succeeded timeout`` for ``spec``, or raise :class:`FilterError`."""
    text = (text or "").strip()
    if not text:
        return Filter()
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise FilterError(f"cannot read the filter ({exc}); close the quote or remove it") from None
    terms: list[Term] = []
    for word in words:
        negated = word.startswith("!")
        if negated:
            word = word[1:]
        if ":" in word:
            key, _, value = word.partition(":")
            key = spec.resolve(key.strip().lower())
        else:
            key, value = spec.text, word
            # A bare word that names a state is that state: ``:queue failed``, ``:logs error``.
            for name, f in spec.fields.items():
                if f.kind == "enum" and all(v in f.choices for v in value.split(",") if v):
                    key = name
                    break
        values = tuple(v for v in (p.strip() for p in value.split(",")) if v)
        if not values:
            raise FilterError(f"filter term {word!r} has no value; write it as key:value")
        f = spec.fields[key]
        if f.kind == "int":
            bad = [v for v in values if not v.isdigit()]
            if bad:
                raise FilterError(f"{key}: expects a number, got {bad[0]!r}")
        if f.kind == "enum":
            bad = [v for v in values if v not in f.choices]
            if bad:
                raise FilterError(f"{key}: unknown value {bad[0]!r}; use one of: {', '.join(f.choices)}")
        terms.append(Term(key, values, negated))
    return Filter(tuple(terms), text)


def like_pattern(text: str) -> str:
    return "%" + like_escape(text) + "%"


def where_sql(flt: Filter, spec: Spec, params: dict[str, Any]) -> str:
    """SQL conditions for ``flt`` (joined by AND), adding the values to ``params``."""
    parts = ["TRUE"]
    for i, term in enumerate(flt.terms):
        f = spec.fields[term.key]
        name = f"f{i}"
        if f.kind == "like":
            alts = []
            for j, v in enumerate(term.values):
                params[f"{name}_{j}"] = like_pattern(v)
                alts.append(f"{f.expr} ILIKE %({name}_{j})s")
            cond = "(" + " OR ".join(alts) + ")"
            if term.negated:
                cond = f"NOT COALESCE({cond}, false)"
        else:
            params[name] = [int(v) for v in term.values] if f.kind == "int" else list(term.values)
            cond = f"{f.expr} = ANY(%({name})s)"
            if term.negated:
                cond = f"({f.expr} IS NULL OR NOT ({cond}))"
        parts.append(cond)
    return " AND ".join(parts)


# ------------------------------------------------------------------------------------------------
# Apply sessions: paged, filtered, and live only while their runner is
# ------------------------------------------------------------------------------------------------
#: A session is live while it has not ended and the runner driving it still beats (or, with no
#: runner recorded, its task still holds a lease). Otherwise it is "stale": its runner is gone.
SESSION_STATE = """CASE WHEN s.ended_at IS NOT NULL THEN 'ended'
     WHEN EXISTS (SELECT 1 FROM runners r WHERE r.id = s.runner_id AND r.status <> 'gone'
                    AND r.heartbeat_at > COALESCE(%(now)s::timestamptz, now()) - make_interval(secs => %(stale_s)s))
       OR (s.runner_id IS NULL AND EXISTS (SELECT 1 FROM tasks t WHERE t.id = s.task_id AND t.status = 'running'
                    AND t.lease_until > COALESCE(%(now)s::timestamptz, now())))
     THEN 'live' ELSE 'stale' END"""

SESSION_SPEC = Spec(
    fields={
        "id": Field("s.id", "int"),
        "state": Field(f"({SESSION_STATE})", "enum", ("live", "stale", "ended")),
        "candidate": Field("c.full_name", "like"),
        "job": Field("j.title", "like"),
        "company": Field("j.company", "like"),
        "site": Field("s.site"),
        "step": Field("s.step"),
        "outcome": Field("s.outcome"),
        "app": Field("s.application_id", "int"),
        "task": Field("s.task_id", "int"),
        "runner": Field("s.runner_id"),
        "text": Field("(COALESCE(c.full_name, '') || ' ' || COALESCE(j.title, '') || ' ' || COALESCE(j.company, ''))",
                      "like"),
    },
    text="text",
    aliases={"status": "state", "application": "app", "title": "job"},
)
