"""Notification settings, from the environment (the names existing deployments already use).

Secrets (SMTP password, gateway tokens, webhook secrets) only ever come from the environment and are never
shown: ``describe()`` names what is configured without the values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ConfigError

SECURITY = ("starttls", "ssl", "none")
PROVIDERS = ("waha", "evolution", "cloud")


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, lo: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < lo:
        raise ConfigError(f"{name} must be at least {lo}, got {value}")
    return value


@dataclass(frozen=True)
class SmtpSettings:
    server: str | None = None
    port: int = 587
    sender: str | None = None
    password: str | None = field(default=None, repr=False)
    username: str | None = None
    security: str = "starttls"
    timeout_s: float = 20.0
    #: A CA bundle to trust for a private relay's certificate (default: the system's).
    ca_file: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.server and self.sender)


@dataclass(frozen=True)
class WhatsAppSettings:
    provider: str | None = None
    gateway_url: str | None = None
    gateway_token: str | None = field(default=None, repr=False)
    session: str = "default"          # WAHA session
    instance: str = "talvix"          # Evolution instance name
    cloud_url: str = "https://graph.facebook.com"
    cloud_version: str = "v21.0"
    cloud_phone_number_id: str | None = None
    cloud_token: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)     # WAHA HMAC key / Evolution header secret
    cloud_app_secret: str | None = field(default=None, repr=False)   # X-Hub-Signature-256 key
    cloud_verify_token: str | None = field(default=None, repr=False)
    timeout_s: float = 20.0

    @property
    def configured(self) -> bool:
        if self.provider == "cloud":
            return bool(self.cloud_phone_number_id and self.cloud_token)
        return bool(self.provider and self.gateway_url)


@dataclass(frozen=True)
class NotifySettings:
    smtp: SmtpSettings
    whatsapp: WhatsAppSettings
    #: Messages per channel per minute, across every runner.
    rate_per_minute: dict[str, int]
    templates_dir: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, data_dir: Path | None = None) -> NotifySettings:
        env = os.environ if env is None else env
        security = (env.get("SMTP_SECURITY") or "").strip().lower()
        port_default = 465 if security == "ssl" else 25 if security == "none" else 587
        if security and security not in SECURITY:
            raise ConfigError(f"SMTP_SECURITY must be one of {', '.join(SECURITY)}, got {security!r}")
        smtp = SmtpSettings(
            server=(env.get("SMTP_SERVER") or "").strip() or None,
            port=_int(env, "SMTP_PORT", port_default, 1, 65535),
            sender=(env.get("SENDER_EMAIL") or "").strip() or None,
            password=env.get("SENDER_PASSWORD") or None,
            username=(env.get("SMTP_USERNAME") or "").strip() or None,
            security=security or "starttls",
            timeout_s=_float(env, "SMTP_TIMEOUT", 20.0, 0.1),
            ca_file=(env.get("SMTP_CA_FILE") or "").strip() or None,
        )
        provider = (env.get("WA_PROVIDER") or "").strip().lower() or None
        if provider and provider not in PROVIDERS:
            raise ConfigError(f"WA_PROVIDER must be one of {', '.join(PROVIDERS)}, got {provider!r}")
        wa = WhatsAppSettings(
            provider=provider,
            gateway_url=(env.get("WA_GATEWAY_URL") or "").strip().rstrip("/") or None,
            gateway_token=env.get("WA_GATEWAY_TOKEN") or None,
            session=(env.get("WA_SESSION") or "default").strip(),
            instance=(env.get("WA_INSTANCE") or "talvix").strip(),
            cloud_url=(env.get("WA_CLOUD_API_URL") or "https://graph.facebook.com").strip().rstrip("/"),
            cloud_version=(env.get("WA_CLOUD_API_VERSION") or "v21.0").strip(),
            cloud_phone_number_id=(env.get("WA_CLOUD_PHONE_NUMBER_ID") or "").strip() or None,
            cloud_token=env.get("WA_CLOUD_TOKEN") or None,
            webhook_secret=env.get("WA_WEBHOOK_SECRET") or None,
            cloud_app_secret=env.get("WA_CLOUD_APP_SECRET") or None,
            cloud_verify_token=env.get("WA_CLOUD_VERIFY_TOKEN") or None,
            timeout_s=_float(env, "WA_TIMEOUT", 20.0, 0.1),
        )
        rates = {"email": _int(env, "TALVIX_NOTIFY_EMAIL_PER_MINUTE", 30, 0, 100_000),
                 "whatsapp": _int(env, "TALVIX_NOTIFY_WHATSAPP_PER_MINUTE", 20, 0, 100_000)}
        tdir = (env.get("TALVIX_NOTIFY_TEMPLATES") or "").strip()
        templates_dir = Path(tdir) if tdir else (data_dir / "templates" / "notify" if data_dir else None)
        return cls(smtp=smtp, whatsapp=wa, rate_per_minute=rates, templates_dir=templates_dir)
