"""The LLM layer against each provider's documented request and reply shapes (httpx.MockTransport)."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import BaseModel

from core.config import LLMSettings, load_settings
from core.llm import LLMClient, LLMError, RateLimiter, from_settings
from tests.support.llm_fakes import error_body, reply

KEY = "sk-test-SECRET-123"


def client(provider: str, handler, **cfg) -> tuple[LLMClient, list[float]]:
    slept: list[float] = []
    settings = LLMSettings(provider=provider, backoff_base_s=0.5, requests_per_minute=0, **cfg)
    c = LLMClient(provider, cfg.get("model") or f"{provider}-model", KEY, settings,
                  transport=httpx.MockTransport(handler), sleep=slept.append)
    return c, slept


def test_gemini_generate_content_shape() -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"], seen["headers"], seen["body"] = str(request.url), request.headers, json.loads(request.content)
        return httpx.Response(200, json=reply("gemini", "Hello from Gemini", 11, 7))

    c, _ = client("gemini", handler, model="gemini-2.5-flash")
    out = c.complete("Say hi", system="Be brief", json_mode=True)
    assert seen["url"] == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
    assert seen["headers"]["x-goog-api-key"] == KEY and KEY not in seen["url"]
    assert seen["body"]["contents"] == [{"role": "user", "parts": [{"text": "Say hi"}]}]
    assert seen["body"]["systemInstruction"] == {"parts": [{"text": "Be brief"}]}
    assert seen["body"]["generationConfig"]["responseMimeType"] == "application/json"
    assert out.text == "Hello from Gemini"
    assert (out.usage.input_tokens, out.usage.output_tokens) == (11, 7)


def test_anthropic_messages_shape() -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"], seen["headers"], seen["body"] = str(request.url), request.headers, json.loads(request.content)
        return httpx.Response(200, json=reply("anthropic", "Hello from Claude", 20, 5))

    c, _ = client("anthropic", handler, model="claude-haiku-4-5")
    out = c.complete("Say hi", system="Be brief")
    assert seen["url"] == "https://api.anthropic.com/v1/messages"
    assert seen["headers"]["x-api-key"] == KEY and seen["headers"]["anthropic-version"] == "2023-06-01"
    assert seen["body"]["system"] == "Be brief" and seen["body"]["messages"] == [{"role": "user", "content": "Say hi"}]
    assert seen["body"]["max_tokens"] == 1024 and seen["body"]["model"] == "claude-haiku-4-5"
    assert out.text == "Hello from Claude" and out.usage.input_tokens == 20 and out.usage.output_tokens == 5


@pytest.mark.parametrize("provider, url, header, value", [
    ("sarvam", "https://api.sarvam.ai/v1/chat/completions", "api-subscription-key", KEY),
    ("openai", "https://api.openai.com/v1/chat/completions", "authorization", f"Bearer {KEY}"),
])
def test_chat_completions_shape(provider: str, url: str, header: str, value: str) -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"], seen["headers"], seen["body"] = str(request.url), request.headers, json.loads(request.content)
        return httpx.Response(200, json=reply(provider, "Hello", 9, 3))

    c, _ = client(provider, handler)
    out = c.complete("Say hi", system="Be brief")
    assert seen["url"] == url and seen["headers"][header] == value
    assert seen["body"]["messages"] == [{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Say hi"}]
    assert out.text == "Hello" and (out.usage.input_tokens, out.usage.output_tokens) == (9, 3)


def test_openai_compatible_base_url_is_configurable() -> None:
    urls = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return httpx.Response(200, json=reply("openai", "ok"))

    c, _ = client("openai", handler, base_url="http://127.0.0.1:8080/v1/")
    c.complete("x")
    assert urls == ["http://127.0.0.1:8080/v1/chat/completions"]


def test_429_is_retried_honouring_retry_after() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(429, json=error_body("anthropic", 429, "slow down"), headers={"retry-after": "3"})
        return httpx.Response(200, json=reply("anthropic", "done"))

    c, slept = client("anthropic", handler)
    out = c.complete("x")
    assert out.text == "done" and out.usage.attempts == 2 and slept == [3.0]


def test_5xx_retries_with_growing_backoff_then_fails_with_the_provider_message() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json=error_body("gemini", 503, "model overloaded"))

    c, slept = client("gemini", handler, max_retries=3)
    with pytest.raises(LLMError) as info:
        c.complete("x")
    assert "4 attempt(s)" in str(info.value) and "model overloaded" in str(info.value)
    assert len(slept) == 3 and slept[0] <= 0.5 and 0.5 <= slept[1] <= 1.0 and 1.0 <= slept[2] <= 2.0


def test_timeouts_are_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json=reply("openai", "late but fine"))

    c, _ = client("openai", handler, max_retries=2)
    assert c.complete("x").text == "late but fine" and len(calls) == 3


def test_auth_error_is_not_retried_and_never_shows_the_key() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(401, json={"error": {"message": f"Incorrect API key provided: {KEY}"}})

    c, slept = client("openai", handler)
    with pytest.raises(LLMError) as info:
        c.complete("x")
    assert len(calls) == 1 and slept == []
    assert "401" in str(info.value) and KEY not in str(info.value)


class Letter(BaseModel):
    greeting: str
    paragraphs: list[str]


def test_structured_output_is_validated_and_repaired_once() -> None:
    bodies = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        if len(bodies) == 1:
            return httpx.Response(200, json=reply("openai", '{"greeting": "Hi"}'))  # paragraphs missing
        return httpx.Response(200, json=reply("openai", '```json\n{"greeting": "Hi", "paragraphs": ["One"]}\n```'))

    c, _ = client("openai", handler)
    letter = c.structured("Write a letter", Letter)
    assert letter == Letter(greeting="Hi", paragraphs=["One"])
    repair_prompt = bodies[1]["messages"][-1]["content"]
    assert "paragraphs" in repair_prompt and "invalid" in repair_prompt and '{"greeting": "Hi"}' in repair_prompt
    assert bodies[0]["response_format"] == {"type": "json_object"}


def test_structured_output_invalid_twice_is_an_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=reply("gemini", "I cannot do that"))

    c, _ = client("gemini", handler)
    with pytest.raises(LLMError) as info:
        c.structured("Write", Letter)
    assert "invalid structured output twice" in str(info.value)


def test_gemini_blocked_prompt_is_an_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"promptFeedback": {"blockReason": "SAFETY"}})

    c, _ = client("gemini", handler)
    with pytest.raises(LLMError) as info:
        c.complete("x")
    assert "blocked: SAFETY" in str(info.value)


def test_cost_is_computed_from_configured_prices() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=reply("anthropic", "ok", 1_000_000, 500_000))

    c, _ = client("anthropic", handler, input_usd_per_mtok=1.0, output_usd_per_mtok=5.0)
    assert c.complete("x").usage.cost_usd == pytest.approx(3.5)
    c2, _ = client("anthropic", handler)
    assert c2.complete("x").usage.cost_usd is None


def test_rate_limiter_spaces_calls_evenly() -> None:
    now = [100.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    limiter = RateLimiter(60, clock=lambda: now[0], sleep=sleep)  # one a second
    for _ in range(3):
        limiter.acquire()
    assert waits == [pytest.approx(1.0), pytest.approx(1.0)]


def test_no_provider_or_no_key_means_no_client_and_says_why(monkeypatch) -> None:
    for var in ("GEMINI_API_KEY", "TALVIX_GEMINI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    c, why = from_settings(load_settings())
    assert c is None and "llm.provider = 'none'" in why
    c, why = from_settings(load_settings(llm={"provider": "gemini"}))
    assert c is None and "GEMINI_API_KEY is not set" in why
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    c, why = from_settings(load_settings(llm={"provider": "gemini"}))
    assert c is not None and c.model == "gemini-2.5-flash" and KEY not in repr(c)
