"""Each provider's request and response shape, and nothing else (the client does retries and accounting).

Shapes follow the providers' documented REST APIs:

* Gemini ``POST {base}/models/{model}:generateContent`` (key in ``x-goog-api-key``), reply
  ``candidates[0].content.parts[].text`` and ``usageMetadata.promptTokenCount / candidatesTokenCount``.
* Anthropic ``POST {base}/v1/messages`` (``x-api-key``, ``anthropic-version``), reply ``content[]`` blocks of
  ``type: text`` and ``usage.input_tokens / output_tokens``.
* Sarvam ``POST {base}/chat/completions`` (``api-subscription-key``) and any OpenAI-compatible endpoint
  ``POST {base}/chat/completions`` (``Authorization: Bearer``): ``choices[0].message.content`` and
  ``usage.prompt_tokens / completion_tokens``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ProviderError(Exception):
    """The reply did not have the provider's documented shape (or was refused, e.g. blocked)."""


@dataclass(frozen=True)
class Request:
    url: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass(frozen=True)
class Reply:
    text: str
    input_tokens: int
    output_tokens: int
    model: str | None = None
    stop_reason: str | None = None


DEFAULT_BASE = {
    "gemini": "https://generativelanguage.googleapis.com/v1beta",
    "anthropic": "https://api.anthropic.com",
    "sarvam": "https://api.sarvam.ai/v1",
    "openai": "https://api.openai.com/v1",
}
DEFAULT_MODEL = {
    "gemini": "gemini-2.5-flash",
    "anthropic": "claude-haiku-4-5",
    "sarvam": "sarvam-105b",
    "openai": "gpt-4o-mini",
}
ANTHROPIC_VERSION = "2023-06-01"


def build(provider: str, *, base_url: str | None, model: str, api_key: str, system: str | None, prompt: str,
          temperature: float, max_tokens: int, json_mode: bool) -> Request:
    base = (base_url or DEFAULT_BASE[provider]).rstrip("/")
    if provider == "gemini":
        body: dict[str, Any] = {
            "contents": [{"role": "user", "parts": [{"text": prompt}]}],
            "generationConfig": {"temperature": temperature, "maxOutputTokens": max_tokens},
        }
        if system:
            body["systemInstruction"] = {"parts": [{"text": system}]}
        if json_mode:
            body["generationConfig"]["responseMimeType"] = "application/json"
        return Request(f"{base}/models/{model}:generateContent",
                       {"x-goog-api-key": api_key, "content-type": "application/json"}, body)
    if provider == "anthropic":
        body = {"model": model, "max_tokens": max_tokens, "temperature": temperature,
                "messages": [{"role": "user", "content": prompt}]}
        if system:
            body["system"] = system
        return Request(f"{base}/v1/messages",
                       {"x-api-key": api_key, "anthropic-version": ANTHROPIC_VERSION,
                        "content-type": "application/json"}, body)
    if provider in ("sarvam", "openai"):
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        body = {"model": model, "messages": messages, "temperature": temperature, "max_tokens": max_tokens}
        if json_mode and provider == "openai":
            body["response_format"] = {"type": "json_object"}
        headers = {"content-type": "application/json"}
        if provider == "sarvam":
            headers["api-subscription-key"] = api_key
        else:
            headers["authorization"] = f"Bearer {api_key}"
        return Request(f"{base}/chat/completions", headers, body)
    raise ValueError(f"unknown provider {provider!r}")


def parse(provider: str, data: Any) -> Reply:
    if not isinstance(data, dict):
        raise ProviderError("reply is not a JSON object")
    try:
        if provider == "gemini":
            cands = data.get("candidates") or []
            if not cands:
                reason = (data.get("promptFeedback") or {}).get("blockReason")
                raise ProviderError(f"no candidates in the reply{f' (blocked: {reason})' if reason else ''}")
            parts = (cands[0].get("content") or {}).get("parts") or []
            text = "".join(p.get("text", "") for p in parts if not p.get("thought"))
            usage = data.get("usageMetadata") or {}
            return Reply(text, int(usage.get("promptTokenCount") or 0), int(usage.get("candidatesTokenCount") or 0),
                         data.get("modelVersion"), cands[0].get("finishReason"))
        if provider == "anthropic":
            if data.get("type") == "error":
                raise ProviderError(str((data.get("error") or {}).get("message") or "error"))
            text = "".join(b.get("text", "") for b in data.get("content") or [] if b.get("type") == "text")
            usage = data.get("usage") or {}
            return Reply(text, int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0),
                         data.get("model"), data.get("stop_reason"))
        if provider in ("sarvam", "openai"):
            choices = data.get("choices") or []
            if not choices:
                raise ProviderError("no choices in the reply")
            message = choices[0].get("message") or {}
            text = message.get("content") or ""
            usage = data.get("usage") or {}
            return Reply(text, int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0),
                         data.get("model"), choices[0].get("finish_reason"))
    except (AttributeError, TypeError, ValueError) as exc:
        raise ProviderError(f"unexpected reply shape: {exc}") from None
    raise ValueError(f"unknown provider {provider!r}")


def error_message(data: Any) -> str:
    """The provider's own error text from an error body, whatever its shape."""
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict):
            return str(err.get("message") or err.get("status") or err.get("type") or "")
        if isinstance(err, str):
            return err
        if "message" in data:
            return str(data["message"])
    return ""
