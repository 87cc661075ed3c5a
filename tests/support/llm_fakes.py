"""LLM providers as tests see them: replies in each provider's documented shape, over httpx.MockTransport or a
loopback HTTP server (a real socket on 127.0.0.1), recording every request."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def reply(provider: str, text: str, tokens_in: int = 120, tokens_out: int = 45) -> dict[str, Any]:
    """A successful reply body exactly as the provider documents it."""
    if provider == "gemini":
        return {"candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP",
                                "index": 0}],
                "usageMetadata": {"promptTokenCount": tokens_in, "candidatesTokenCount": tokens_out,
                                  "totalTokenCount": tokens_in + tokens_out},
                "modelVersion": "gemini-2.5-flash", "responseId": "resp-1"}
    if provider == "anthropic":
        return {"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
                "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out}}
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000,
            "model": "sarvam-105b" if provider == "sarvam" else "gpt-4o-mini",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out,
                      "total_tokens": tokens_in + tokens_out}}


def error_body(provider: str, status: int, message: str) -> dict[str, Any]:
    if provider == "anthropic":
        kind = "rate_limit_error" if status == 429 else "api_error"
        return {"type": "error", "error": {"type": kind, "message": message}}
    if provider == "gemini":
        return {"error": {"code": status, "message": message, "status": "RESOURCE_EXHAUSTED" if status == 429 else "INTERNAL"}}
    return {"error": {"message": message, "type": "rate_limit_exceeded" if status == 429 else "server_error"}}


Answer = tuple[int, dict[str, Any], dict[str, str]]


class LoopbackLLM:
    """An HTTP server on 127.0.0.1 answering POSTs with ``answer(path, headers, body) -> (status, json, headers)``."""

    def __init__(self, answer: Callable[[str, dict[str, str], dict[str, Any]], Answer]) -> None:
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.requests.append({"path": self.path, "headers": headers, "body": body})
                status, data, extra = outer.answer(self.path, headers, body)
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LoopbackLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
