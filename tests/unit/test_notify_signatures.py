"""Webhook signatures and payload shapes of WAHA, Evolution API v2 and the WhatsApp Cloud API."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from core.errors import ConfigError
from core.notify import inbound
from core.notify.probe import mask
from core.notify.settings import NotifySettings

CFG = NotifySettings.from_env({"WA_WEBHOOK_SECRET": "k", "WA_CLOUD_APP_SECRET": "app"}).whatsapp
RAW = b'{"event": "message"}'


def test_waha_hmac_sha512_is_checked():
    good = hmac.new(b"k", RAW, hashlib.sha512).hexdigest()
    inbound.verify("waha", {"X-Webhook-Hmac": good, "X-Webhook-Hmac-Algorithm": "sha512"}, RAW, CFG)
    with pytest.raises(inbound.Refused, match="wrong"):
        inbound.verify("waha", {"X-Webhook-Hmac": good}, RAW + b" ", CFG)
    with pytest.raises(inbound.Refused, match="unsigned"):
        inbound.verify("waha", {}, RAW, CFG)
    with pytest.raises(inbound.Refused, match="unsupported"):
        inbound.verify("waha", {"X-Webhook-Hmac": good, "X-Webhook-Hmac-Algorithm": "md5"}, RAW, CFG)


def test_cloud_x_hub_signature_256_is_checked():
    good = "sha256=" + hmac.new(b"app", RAW, hashlib.sha256).hexdigest()
    inbound.verify("cloud", {"X-Hub-Signature-256": good}, RAW, CFG)
    with pytest.raises(inbound.Refused):
        inbound.verify("cloud", {"X-Hub-Signature-256": good.replace("a", "b", 1)}, RAW, CFG)


def test_evolution_secret_header_or_bearer():
    inbound.verify("evolution", {"X-Webhook-Secret": "k"}, RAW, CFG)
    inbound.verify("evolution", {"Authorization": "Bearer k"}, RAW, CFG)
    with pytest.raises(inbound.Refused):
        inbound.verify("evolution", {"Authorization": "Bearer x"}, RAW, CFG)


def test_without_a_configured_secret_everything_is_refused():
    empty = NotifySettings.from_env({}).whatsapp
    for provider in ("waha", "evolution", "cloud"):
        with pytest.raises(inbound.Refused, match="not set"):
            inbound.verify(provider, {"X-Webhook-Hmac": "x", "X-Webhook-Secret": "x", "X-Hub-Signature-256": "x"},
                           RAW, empty)


def test_payload_shapes_are_read_and_our_own_messages_ignored():
    waha = {"event": "message", "payload": {"id": "m1", "from": "919800000001@c.us", "fromMe": False, "body": "Hi"}}
    assert inbound.parse("waha", waha) == [inbound.Inbound("waha", "m1", "919800000001", "Hi")]
    waha["payload"]["fromMe"] = True
    assert inbound.parse("waha", waha) == []
    group = {"event": "message", "payload": {"id": "g", "from": "1203@g.us", "fromMe": False, "body": "x"}}
    assert inbound.parse("waha", group) == []
    evo = {"event": "messages.upsert", "data": {"key": {"remoteJid": "919800000001@s.whatsapp.net", "fromMe": False,
                                                         "id": "E1"}, "message": {"extendedTextMessage": {"text": "YES"}}}}
    assert inbound.parse("evolution", evo) == [inbound.Inbound("evolution", "E1", "919800000001", "YES")]
    cloud = {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"messages": [
        {"from": "919800000001", "id": "wamid.1", "type": "button", "button": {"text": "NO", "payload": "NO"}},
        {"from": "919800000001", "id": "wamid.2", "type": "text", "text": {"body": "30 days"}}],
        "statuses": []}}]}]}
    assert [m.text for m in inbound.parse("cloud", cloud)] == ["NO", "30 days"]
    assert inbound.parse("cloud", {"object": "page"}) == []


def test_settings_errors_name_the_setting():
    with pytest.raises(ConfigError, match="SMTP_SECURITY"):
        NotifySettings.from_env({"SMTP_SECURITY": "tls13"})
    with pytest.raises(ConfigError, match="SMTP_PORT"):
        NotifySettings.from_env({"SMTP_PORT": "smtp"})
    with pytest.raises(ConfigError, match="WA_PROVIDER"):
        NotifySettings.from_env({"WA_PROVIDER": "twilio"})
    assert NotifySettings.from_env({"SMTP_SECURITY": "ssl"}).smtp.port == 465
    assert "secret" not in repr(NotifySettings.from_env({"SENDER_PASSWORD": "secret", "WA_GATEWAY_TOKEN": "secret"}))


def test_addresses_are_masked_for_display():
    assert mask("asha.rao@example.com") == "as***@example.com"
    assert mask("+91 98765 43210") == "+91******3210"
