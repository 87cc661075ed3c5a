"""Loopback-only mode: the demo (and anyone who sets ``TALVIX_LOOPBACK_ONLY=1``) never reaches the network.

Every outbound HTTP client Talvix builds (job sources, LLM providers) gets :func:`httpx_hooks`, which
refuses any request to a host that is not on this machine, and Chromium gets :func:`chromium_args`, which
makes every other host name unresolvable. Synthetic demo data points at real-looking hosts; in this mode
a retry of such a task fails with a clear error instead of touching the internet.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any
from urllib.parse import urlsplit

from core.errors import TalvixError

ENV = "TALVIX_LOOPBACK_ONLY"


def enabled() -> bool:
    return os.environ.get(ENV, "").strip().lower() in ("1", "true", "yes", "on")


def enable() -> None:
    """Turn loopback-only mode on for this process and every process it starts."""
    os.environ[ENV] = "1"


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> None:
    """Raise if loopback-only mode is on and ``url`` leaves this machine."""
    if enabled() and not is_loopback_host(urlsplit(url).hostname):
        raise TalvixError(f"loopback-only mode ({ENV}): refusing to contact {urlsplit(url).hostname}",
                          hint="the demo only talks to its local sandbox job board")


def _request_hook(request: Any) -> None:
    check_url(str(request.url))


def httpx_hooks() -> dict[str, list[Any]]:
    """``event_hooks`` for an httpx client (checked per request, so redirects are covered too)."""
    return {"request": [_request_hook]}


def chromium_args() -> list[str]:
    """Extra Chromium flags: in loopback-only mode, no host but this machine resolves."""
    if not enabled():
        return []
    return ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1"]
