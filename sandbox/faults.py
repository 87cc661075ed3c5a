"""Fault injection: the ways real job sites push back, on demand.

A fault is switched on through ``POST /_sandbox/faults`` (or :meth:`SandboxServer.add_fault`) for one
job, one board, one ATS or everything, and optionally only for a number of requests; or for a single
request with the ``fault=`` query parameter. Each kind does what a real site does:

============  ===========================================================================================
kind          effect
============  ===========================================================================================
429           HTTP 429 with ``Retry-After`` (JSON body on APIs, an HTML page on pages)
403           HTTP 403 "Access denied / you have been blocked" page (JSON on APIs)
slow          the response is delayed by ``delay_ms`` (default 3000) and then served normally
closed        the posting is gone: 404 "no longer accepting applications" page, 404 from the detail API,
              and the job disappears from board listings
captcha       HTTP 200 "Verify you are human" challenge page instead of the content
daily_limit   HTTP 200 "You have reached the daily limit of applications" page
drop_submit   the submission is recorded, then the connection is closed with no response
              (``mode="blank"``: an empty 200 instead)
============  ===========================================================================================

``scope`` says which requests a fault hits: ``page`` (HTML GETs), ``api`` (board APIs), ``submit``
(form posts) or ``any``. Each kind has a sensible default (``drop_submit`` only on submit, ``closed``
everywhere, the rest on pages and APIs).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("429", "403", "slow", "closed", "captcha", "daily_limit", "drop_submit")
ALIASES = {"rate_limit": "429", "ratelimit": "429", "too_many_requests": "429", "blocked": "403",
           "forbidden": "403", "delay": "slow", "gone": "closed", "dailylimit": "daily_limit",
           "drop": "drop_submit", "dropped_submit": "drop_submit"}
SCOPES = ("page", "api", "submit", "any")
DEFAULT_SCOPE = {"429": "page+api", "403": "page+api", "slow": "page+api", "closed": "any",
                 "captcha": "page", "daily_limit": "page+submit", "drop_submit": "submit"}


class FaultError(ValueError):
    """A fault request that cannot be understood; the message says what to send instead."""


@dataclass
class Fault:
    id: int
    kind: str
    job: str | None = None  # a job key or native id
    board: str | None = None
    ats: str | None = None
    scope: str = ""
    times: int | None = None  # None = until cleared
    delay_ms: int = 3000
    retry_after: int = 30
    mode: str = "close"  # drop_submit: close | blank
    hits: int = 0

    def applies(self, request_kind: str, job_ids: tuple[str, ...], board: str | None, ats: str | None) -> bool:
        scopes = self.scope.split("+")
        if "any" not in scopes and request_kind not in scopes:
            return False
        if self.job is not None and self.job not in job_ids:
            return False
        if self.board is not None and self.board != board:
            return False
        if self.ats is not None and self.ats != ats:
            return False
        return True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def normalise_kind(kind: object) -> str:
    text = str(kind).strip().lower()
    text = ALIASES.get(text, text)
    if text not in KINDS:
        raise FaultError(f"unknown fault kind {kind!r}; use one of: {', '.join(KINDS)}")
    return text


def build_fault(fid: int, spec: dict[str, Any]) -> Fault:
    """A :class:`Fault` from a JSON object such as ``{"kind": "429", "job": "gh-backend", "times": 1}``."""
    if not isinstance(spec, dict):
        raise FaultError("a fault is a JSON object like {\"kind\": \"429\", \"job\": \"gh-backend\"}")
    known = {"kind", "job", "board", "ats", "scope", "times", "delay_ms", "retry_after", "mode"}
    extra = set(spec) - known
    if extra:
        raise FaultError(f"unknown fault field(s) {sorted(extra)}; allowed: {sorted(known)}")
    kind = normalise_kind(spec.get("kind", ""))
    scope = str(spec.get("scope") or DEFAULT_SCOPE[kind])
    for part in scope.split("+"):
        if part not in SCOPES:
            raise FaultError(f"unknown scope {part!r}; use page, api, submit or any (join with '+')")
    mode = str(spec.get("mode") or "close")
    if mode not in ("close", "blank"):
        raise FaultError("mode is 'close' (drop the connection) or 'blank' (empty 200)")
    try:
        times = None if spec.get("times") is None else int(spec["times"])
        delay_ms = int(spec.get("delay_ms", 3000))
        retry_after = int(spec.get("retry_after", 30))
    except (TypeError, ValueError) as exc:
        raise FaultError("times, delay_ms and retry_after are whole numbers") from exc
    if times is not None and times < 1:
        raise FaultError("times must be 1 or more (leave it out for 'until cleared')")
    return Fault(fid, kind, _opt(spec.get("job")), _opt(spec.get("board")), _opt(spec.get("ats")), scope,
                 times, max(0, delay_ms), max(0, retry_after), mode)


def _opt(value: object) -> str | None:
    return None if value in (None, "") else str(value)


class FaultBook:
    """The active faults, shared by the server's request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next = 1

    def add(self, spec: dict[str, Any]) -> Fault:
        with self._lock:
            fault = build_fault(self._next, spec)
            self._next += 1
            self._faults.append(fault)
            return fault

    def clear(self, fid: int | None = None) -> int:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if fid is not None and f.id != fid]
            return before - len(self._faults)

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.to_json() for f in self._faults]

    def take(self, request_kind: str, job_ids: tuple[str, ...], board: str | None,
             ats: str | None, *, peek_kinds: tuple[str, ...] = ()) -> list[Fault]:
        """Faults hitting this request, counting one use each (``peek_kinds`` are not counted)."""
        hit: list[Fault] = []
        with self._lock:
            for f in list(self._faults):
                if not f.applies(request_kind, job_ids, board, ats):
                    continue
                hit.append(f)
                if f.kind in peek_kinds:
                    continue
                f.hits += 1
                if f.times is not None and f.hits >= f.times:
                    self._faults.remove(f)
        return hit

    def is_closed(self, job_ids: tuple[str, ...], board: str | None, ats: str | None) -> bool:
        """Whether a listing should leave this job out (does not use up a ``times`` budget)."""
        with self._lock:
            return any(f.kind == "closed" and f.applies("api", job_ids, board, ats) for f in self._faults)
