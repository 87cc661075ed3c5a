"""The optional LLM layer: Gemini, Anthropic, Sarvam or any OpenAI-compatible endpoint, over httpx.

Agents never need it: with no provider or no key, :func:`for_context` returns None and logs that the
deterministic method is used. With one, agents ask for wording (:meth:`LLMClient.structured` gives a
pydantic-validated object, with one repair retry), and whatever comes back must still pass the
fabrication check before it is used.

Every call is rate-limited per process, retried with backoff on 429/5xx/timeouts (a ``Retry-After``
header wins), and accounted: tokens, cost (when prices are configured) and latency are recorded as
events of kind ``llm``. The API key travels in a header only, never in a URL, log line or error.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from core.errors import TalvixError
from core.llm import providers
from core.llm.providers import ProviderError

if TYPE_CHECKING:
    from core.agent import AgentContext
    from core.config import LLMSettings, Settings

log = logging.getLogger("talvix.llm")
T = TypeVar("T", bound=BaseModel)
RETRY_STATUSES = {408, 409, 425, 429, 500, 502, 503, 504, 529}
_KEY_ATTR = {"gemini": "gemini_api_key", "anthropic": "anthropic_api_key", "sarvam": "sarvam_api_key",
             "openai": "openai_api_key"}
_KEY_ENV = {"gemini": "GEMINI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "sarvam": "SARVAM_API_KEY",
            "openai": "OPENAI_API_KEY"}


class LLMError(TalvixError):
    """The provider failed or answered unusably after retries; callers fall back to deterministic text."""


@dataclass
class Usage:
    provider: str
    model: str
    purpose: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    latency_ms: int = 0
    attempts: int = 1
    ok: bool = True
    error: str | None = None

    def as_event(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class Completion:
    text: str
    usage: Usage


class RateLimiter:
    """At most ``per_minute`` calls a minute, spaced evenly; shared by every thread of the process."""

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> float:
        """Wait for a slot; returns the seconds waited."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        wait = start - now
        if wait > 0:
            self._sleep(wait)
        return wait


@dataclass
class LLMClient:
    provider: str
    model: str
    api_key: str = field(repr=False)
    settings: LLMSettings
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    limiter: RateLimiter | None = None
    on_usage: Callable[[Usage], None] | None = None
    _http: httpx.Client | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.limiter is None:
            self.limiter = RateLimiter(self.settings.requests_per_minute, sleep=self.sleep)
        if self._http is None:
            from core.netguard import httpx_hooks

            self._http = httpx.Client(timeout=httpx.Timeout(self.settings.timeout_s), transport=self.transport,
                                      follow_redirects=False, event_hooks=httpx_hooks())

    def bind(self, on_usage: Callable[[Usage], None]) -> LLMClient:
        """A view of this client that reports usage to ``on_usage`` (shares connections and rate limit)."""
        return LLMClient(self.provider, self.model, self.api_key, self.settings, self.transport, self.sleep,
                         self.limiter, on_usage, self._http)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    # -------------------------------------------------------------------------------------------
    def complete(self, prompt: str, *, system: str | None = None, json_mode: bool = False,
                 purpose: str = "") -> Completion:
        """One completion, retried on 429/5xx/timeouts. Raises :class:`LLMError`."""
        s = self.settings
        req = providers.build(self.provider, base_url=s.base_url, model=self.model, api_key=self.api_key,
                              system=system, prompt=prompt, temperature=s.temperature,
                              max_tokens=s.max_output_tokens, json_mode=json_mode)
        usage = Usage(self.provider, self.model, purpose)
        started = time.monotonic()
        last_error = "no attempt made"
        attempts = s.max_retries + 1
        for attempt in range(1, attempts + 1):
            usage.attempts = attempt
            assert self.limiter is not None and self._http is not None
            self.limiter.acquire()
            retry_after: float | None = None
            try:
                resp = self._http.post(req.url, headers=req.headers, json=req.body)
            except httpx.TimeoutException:
                last_error = f"timed out after {s.timeout_s:g}s"
            except httpx.TransportError as exc:
                last_error = f"connection failed ({type(exc).__name__})"
            else:
                if resp.status_code == 200:
                    try:
                        reply = providers.parse(self.provider, resp.json())
                    except (ValueError, ProviderError) as exc:
                        usage.ok, usage.error = False, _scrub(str(exc), self.api_key)
                        self._finish(usage, started)
                        raise LLMError(f"{self.provider}: {usage.error}") from None
                    usage.input_tokens, usage.output_tokens = reply.input_tokens, reply.output_tokens
                    usage.cost_usd = self._cost(reply.input_tokens, reply.output_tokens)
                    self._finish(usage, started)
                    return Completion(reply.text, usage)
                detail = _error_detail(resp)
                last_error = f"HTTP {resp.status_code}{': ' + detail if detail else ''}"
                if resp.status_code not in RETRY_STATUSES:
                    usage.ok, usage.error = False, _scrub(last_error, self.api_key)
                    self._finish(usage, started)
                    raise LLMError(f"{self.provider} refused the request: {usage.error}") from None
                retry_after = _retry_after(resp)
            if attempt < attempts:
                delay = retry_after if retry_after is not None else s.backoff_base_s * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
                self.sleep(min(delay, 60.0))
        usage.ok, usage.error = False, _scrub(last_error, self.api_key)
        self._finish(usage, started)
        raise LLMError(f"{self.provider} failed after {attempts} attempt(s): {usage.error}")

    def structured(self, prompt: str, schema: type[T], *, system: str | None = None, purpose: str = "") -> T:
        """A reply validated as ``schema``; one repair retry with the validation error, then :class:`LLMError`."""
        shape = json.dumps(schema.model_json_schema(), separators=(",", ":"))
        ask = f"{prompt}\n\nReply with only one JSON object matching this JSON Schema, no prose:\n{shape}"
        first = self.complete(ask, system=system, json_mode=True, purpose=purpose)
        try:
            return _validate(first.text, schema)
        except ValueError as exc:
            problem = str(exc)
        repair = (f"{ask}\n\nYour previous reply was:\n{first.text[:4000]}\n\nIt was invalid: {problem}\n"
                  "Reply again with only the corrected JSON object.")
        second = self.complete(repair, system=system, json_mode=True, purpose=f"{purpose}:repair")
        try:
            return _validate(second.text, schema)
        except ValueError as exc:
            raise LLMError(f"{self.provider} gave invalid structured output twice: {exc}") from None

    # -------------------------------------------------------------------------------------------
    def _cost(self, tokens_in: int, tokens_out: int) -> float | None:
        s = self.settings
        if s.input_usd_per_mtok is None and s.output_usd_per_mtok is None:
            return None
        return round(tokens_in * (s.input_usd_per_mtok or 0) / 1e6 + tokens_out * (s.output_usd_per_mtok or 0) / 1e6, 6)

    def _finish(self, usage: Usage, started: float) -> None:
        usage.latency_ms = int((time.monotonic() - started) * 1000)
        if self.on_usage is not None:
            try:
                self.on_usage(usage)
            except Exception as exc:  # accounting must never break the caller
                log.warning("could not record LLM usage: %s", exc)


def _validate(text: str, schema: type[T]) -> T:
    raw = _json_text(text)
    try:
        return schema.model_validate_json(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err.get("loc", ())) or "reply"
        raise ValueError(f"{where}: {err.get('msg')}") from None


def _json_text(text: str) -> str:
    """The JSON object in a reply, without Markdown fences or prose around it."""
    t = text.strip()
    fence = re.search(r"```(?:json)?\s*(.*?)```", t, re.S)
    if fence:
        t = fence.group(1).strip()
    if not t.startswith("{"):
        start, end = t.find("{"), t.rfind("}")
        if start == -1 or end <= start:
            raise ValueError("the reply holds no JSON object")
        t = t[start:end + 1]
    return t


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _error_detail(resp: httpx.Response) -> str:
    try:
        detail = providers.error_message(resp.json())
    except ValueError:
        detail = ""
    return " ".join(detail.split())[:200]


def _scrub(text: str, key: str) -> str:
    return text.replace(key, "[key]") if key else text


# ------------------------------------------------------------------------------------------------
# Building clients from settings
# ------------------------------------------------------------------------------------------------
_CLIENTS: dict[tuple[Any, ...], LLMClient] = {}
_CLIENTS_LOCK = threading.Lock()


def from_settings(settings: Settings, *, transport: httpx.BaseTransport | None = None
                  ) -> tuple[LLMClient | None, str]:
    """(client, why). The client is None when no provider is configured or its key is missing."""
    cfg = settings.llm
    if cfg.provider == "none":
        return None, "no LLM provider configured (llm.provider = 'none')"
    secret = getattr(settings, _KEY_ATTR[cfg.provider])
    if secret is None or not secret.get_secret_value().strip():
        return None, f"llm.provider is '{cfg.provider}' but {_KEY_ENV[cfg.provider]} is not set"
    key = secret.get_secret_value().strip()
    model = cfg.model or providers.DEFAULT_MODEL[cfg.provider]
    cache_key = (cfg.provider, model, cfg.base_url, key, cfg.model_dump_json(), id(transport))
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(cache_key)
        if client is None:
            client = LLMClient(cfg.provider, model, key, cfg, transport=transport)
            _CLIENTS[cache_key] = client
    return client, f"{cfg.provider} ({model})"


def for_context(ctx: AgentContext, purpose: str = "") -> LLMClient | None:
    """The LLM for an agent's task, reporting usage as ``llm`` events; None (and a log line) without one."""
    client: LLMClient | None = ctx.llm if isinstance(ctx.llm, LLMClient) else None
    why = "an LLM client given to the runner"
    if client is None:
        client, why = from_settings(ctx.settings)
    if client is None:
        ctx.log(f"{why}; using the deterministic method", llm="none", purpose=purpose)
        return None
    task = ctx.task

    def record(usage: Usage) -> None:
        from core.queue import add_event

        msg = (f"llm {usage.provider}/{usage.model} {usage.purpose or 'call'}: "
               f"{usage.input_tokens} in, {usage.output_tokens} out" + ("" if usage.ok else f", failed: {usage.error}"))
        with ctx.db.connection() as conn:
            add_event(conn, msg, level="info" if usage.ok else "warning", kind="llm", agent=task.agent,
                      task_id=task.id, candidate_id=task.candidate_id, job_id=task.job_id,
                      application_id=task.application_id, runner_id=ctx.runner_id, data=usage.as_event())

    return client.bind(record)
