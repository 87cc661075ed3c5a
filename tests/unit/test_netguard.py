"""Loopback-only mode: the demo never reaches beyond this machine."""

from __future__ import annotations

import httpx
import pytest

from core import netguard
from core.config import DiscoverySettings
from core.errors import TalvixError
from core.jobs.sources import make_client


def test_loopback_hosts():
    assert all(netguard.is_loopback_host(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.8.0.2"))
    assert not any(netguard.is_loopback_host(h) for h in ("boards-api.greenhouse.io", "10.0.0.1", "8.8.8.8", "", None))


def test_source_client_refuses_remote_hosts_in_loopback_mode(monkeypatch):
    seen: list[str] = []
    transport = httpx.MockTransport(lambda req: (seen.append(str(req.url)), httpx.Response(200, json={"jobs": []}))[1])
    client = make_client(DiscoverySettings(), transport=transport)
    monkeypatch.setenv(netguard.ENV, "1")
    assert client.get("http://127.0.0.1:9/v1/boards/x/jobs").status_code == 200
    with pytest.raises(TalvixError, match="loopback-only mode"):
        client.get("https://boards-api.greenhouse.io/v1/boards/acme/jobs")
    assert seen == ["http://127.0.0.1:9/v1/boards/x/jobs"]  # the remote request never left
    monkeypatch.delenv(netguard.ENV)
    client.get("https://boards-api.greenhouse.io/v1/boards/acme/jobs")  # normal mode: allowed (mock transport)
    assert len(seen) == 2


def test_chromium_cannot_resolve_other_hosts_in_loopback_mode(monkeypatch):
    assert netguard.chromium_args() == []
    monkeypatch.setenv(netguard.ENV, "1")
    [rule] = netguard.chromium_args()
    assert rule.startswith("--host-resolver-rules=MAP * ~NOTFOUND") and "EXCLUDE 127.0.0.1" in rule
    with pytest.raises(TalvixError):
        netguard.check_url("https://jobs.lever.co/acme/1/apply")
