"""Talvix settings.

Precedence, highest first: command-line options (passed as overrides), environment variables,
``talvix.toml`` (in the working directory, or the file named by ``--config``), defaults.

Secrets (database URL, encryption key, API keys) come only from the environment, as
``doppler run -- talvix ...`` injects them. ``.env`` files are never read.
Nested settings take ``TALVIX_<SECTION>__<FIELD>`` environment variables, e.g.
``TALVIX_QUEUE__LEASE_SECONDS=120``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from core.errors import ConfigError


class Section(BaseModel):
    """A talvix.toml section: an unknown key is an error (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


STORAGE_FOLDERS = ("parsed-resumes", "jds", "tailored", "cover-letters", "screenshots", "calibration")


class DatabaseSettings(Section):
    pool_min: int = Field(1, ge=0, le=100)
    pool_max: int = Field(10, ge=1, le=500)
    connect_timeout_s: float = Field(10.0, gt=0)
    #: Application name shown in pg_stat_activity.
    application_name: str = "talvix"


class QueueSettings(Section):
    lease_seconds: int = Field(60, ge=5, le=86_400)
    heartbeat_seconds: int = Field(15, ge=1, le=3_600)
    max_attempts: int = Field(5, ge=1, le=100)
    backoff_base_seconds: float = Field(5.0, ge=0)
    backoff_max_seconds: float = Field(3_600.0, ge=0)
    poll_seconds: float = Field(2.0, gt=0, le=60)
    reaper_seconds: int = Field(20, ge=1, le=3_600)
    #: A runner whose heartbeat is older than this is considered gone and its tasks are rescued.
    runner_stale_seconds: int = Field(90, ge=5)
    event_retention_days: int = Field(30, ge=1)


class RunnerSettings(Section):
    concurrency: int = Field(4, ge=1, le=256)
    grace_seconds: float = Field(30.0, ge=0)
    agents: list[str] | None = None


class ScheduleSpec(Section):
    cron: str
    agent: str
    payload: dict[str, Any] = {}
    enabled: bool = True


class AgentSettings(Section):
    """Per-agent overrides, ``[agents.<name>]`` in talvix.toml."""

    concurrency: int | None = Field(None, ge=1)
    max_attempts: int | None = Field(None, ge=1)
    lease_seconds: int | None = Field(None, ge=5)


class SiteSettings(Section):
    min_interval_seconds: float = Field(30.0, ge=0)
    daily_cap: int = Field(50, ge=0)
    daily_cap_per_candidate: int = Field(5, ge=0)


class ScoreSettings(Section):
    """``[score]``: fit thresholds, component weights and knock-outs (see the README, "Jobs: discovery, job-description parsing and fit scoring")."""

    apply_threshold: float = Field(70.0, ge=0, le=100)
    review_threshold: float = Field(50.0, ge=0, le=100)
    #: Relative weights of the fit components (normalised to sum to 1).
    weight_skills: float = Field(0.45, ge=0)
    weight_text: float = Field(0.15, ge=0)
    weight_experience: float = Field(0.15, ge=0)
    weight_location: float = Field(0.15, ge=0)
    weight_salary: float = Field(0.10, ge=0)
    #: A required skill counts this many times a nice-to-have one.
    required_skill_weight: float = Field(2.0, ge=1)
    #: Knock-out when the candidate has this many years fewer than the job asks for (or more).
    knockout_years_short: float = Field(3.0, ge=0)
    #: Knock-out an on-site/hybrid job in a place the candidate neither lives in nor would move to.
    knockout_location: bool = True
    #: Knock-out a job that says it cannot sponsor when the candidate needs sponsorship.
    knockout_sponsorship: bool = True
    #: Jobs scored per block (bounds memory: candidates x block floats).
    block_jobs: int = Field(20_000, ge=100)
    #: Keep the index of the open jobs between scorings in a process (rebuilt when any open job changes):
    #: a candidate is then scored against 100k open jobs in ~0.1 s instead of ~10 s, for the index's memory.
    keep_job_index: bool = True


class DiscoverySettings(Section):
    """``[discovery]``: where each job source lives, and how politely it is read."""

    greenhouse_base_url: str = "https://boards-api.greenhouse.io"
    lever_base_url: str = "https://api.lever.co"
    lever_eu_base_url: str = "https://api.eu.lever.co"
    ashby_base_url: str = "https://api.ashbyhq.com"
    #: Deadline for one whole answer (connect to last byte), not only for each read.
    timeout_s: float = Field(20.0, gt=0)
    #: Largest answer read from a source; a larger one is an error, never read into memory whole.
    max_response_mb: float = Field(50.0, gt=0)
    #: Retries of a 429/5xx answer within one run, with exponential backoff from ``backoff_s``.
    retries: int = Field(2, ge=0, le=10)
    backoff_s: float = Field(2.0, ge=0)
    #: Longest Retry-After honoured in-process; longer ones pause the source instead.
    max_retry_after_s: float = Field(30.0, ge=0)
    #: How long a source is paused after a 429/403 when the answer gives no Retry-After.
    pause_minutes: float = Field(60.0, ge=0)
    user_agent: str = "Talvix job discovery (+https://talvix.example/bot)"


class LLMSettings(Section):
    provider: Literal["none", "gemini", "anthropic", "sarvam", "openai"] = "none"
    model: str | None = None
    base_url: str | None = None
    timeout_s: float = Field(30.0, gt=0)
    max_retries: int = Field(2, ge=0, le=10)
    #: First retry waits this long (doubling each time, with jitter); a Retry-After header wins.
    backoff_base_s: float = Field(1.0, ge=0, le=60)
    #: Client-side rate limit per process (requests per minute); 0 disables it.
    requests_per_minute: float = Field(30.0, ge=0)
    max_output_tokens: int = Field(1024, ge=16, le=32_768)
    temperature: float = Field(0.2, ge=0, le=2)
    #: Prices in USD per million tokens, for the cost recorded with every call (unset: cost not recorded).
    input_usd_per_mtok: float | None = Field(None, ge=0)
    output_usd_per_mtok: float | None = Field(None, ge=0)


class DocumentSettings(Section):
    """``[documents]``: tailored resumes and cover letters."""

    #: A cover letter template (string.Template: $name $company $job_title $evidence ...); unset: built in.
    cover_letter_template: Path | None = None
    max_bullets_per_role: int = Field(5, ge=1, le=20)
    max_skills: int = Field(20, ge=1, le=100)


class ApplySettings(Section):
    """``[apply]``: the browser, the answer thresholds, approvals and proxies."""

    chromium_path: str = "/usr/bin/chromium"
    chromedriver_path: str = "/usr/bin/chromedriver"
    headless: bool = True
    page_timeout_s: float = Field(30.0, gt=0)
    script_timeout_s: float = Field(20.0, gt=0)
    #: How long to wait for the form's fields to appear (single-page apps render late).
    form_timeout_s: float = Field(15.0, gt=0)
    #: Once the form's controls are there, how long to wait for the page to go idle (no pending short
    #: timers, requests or script loads, DOM quiet) before reading it as it stands.
    settle_timeout_s: float = Field(2.5, gt=0)
    #: Before submit, a page still running a slow timer (over 2 s) or a ``setInterval`` loop is given until
    #: this many seconds after it started loading to add its last questions; 0 turns the wait off.
    late_render_s: float = Field(4.0, ge=0)
    #: How long to wait for a thank-you page after the submit click before calling it unknown_outcome.
    confirm_timeout_s: float = Field(30.0, gt=0)
    default_policy: Literal["always", "when_uncertain", "never"] = "when_uncertain"
    #: Per-site approval policy (site host -> policy); the stricter of this and the candidate's wins.
    site_policies: dict[str, Literal["always", "when_uncertain", "never"]] = {}
    concurrency: int = Field(2, ge=1)
    #: A new browser session starts only while the machine has at least this much memory available (the
    #: kernel's MemAvailable, in MiB): below it an apply task waits (postponed, no attempt counted) and
    #: ``talvix apply`` says so, instead of a browser pushing the server into its OOM killer. A session
    #: takes ~100-330 MiB (docs/benchmarks.md). 0 turns the check off.
    min_free_memory_mb: int = Field(512, ge=0)
    #: How long an apply task waits before trying again when memory was short.
    low_memory_retry_s: float = Field(60.0, gt=0)
    #: An answer below this confidence does not count as an answer to a required question.
    min_confidence: float = Field(0.7, ge=0, le=1)
    #: Under ``when_uncertain``, any answer below this confidence holds the application for approval.
    approval_confidence: float = Field(0.9, ge=0, le=1)
    #: A soft block (429, "daily limit") pauses the site this long; captcha, 403 and login walls pause it
    #: until an operator resumes it.
    block_pause_minutes: float = Field(60.0, gt=0)
    #: A site is paused only after this many soft blocks within ``block_window_s`` (one page that looked
    #: like a block is that application's problem, not the site's).
    block_threshold: int = Field(3, ge=1)
    block_window_s: float = Field(1800.0, gt=0)
    #: Upstream HTTP proxy for every session, ``http://user:pass@host:port``: environment only
    #: (``TALVIX_APPLY__PROXY_URL``); a candidate's own proxy (``secrets.proxy_url``) wins over it.
    proxy_url: SecretStr | None = None
    #: Per-site proxy: site host -> NAME of the environment variable holding the proxy URL.
    site_proxy_env: dict[str, str] = {}


class MailboxSettings(Section):
    """``[outcomes.mailboxes.<name>]``: an IMAP mailbox read for replies (a candidate's, or a shared inbox).

    The password is never in talvix.toml: ``password_env`` names the environment variable holding it."""

    host: str
    port: int = Field(993, ge=1, le=65_535)
    #: IMAPS: TLS from the first byte (port 993).
    tls: bool = True
    #: With ``tls = false``: upgrade the plain connection with STARTTLS before logging in (port 143); a server
    #: that does not offer it is refused, the password never goes out in clear.
    starttls: bool = False
    #: A CA bundle to trust for a private server's certificate (default: the system's).
    ca_file: str | None = None
    username: str
    password_env: str
    folder: str = "INBOX"
    #: The candidate whose mailbox this is; unset: a shared inbox (messages name their candidate).
    candidate_id: int | None = None
    timeout_s: float = Field(30.0, gt=0)
    #: Largest message read; a larger one is recorded as skipped, never read whole.
    max_message_kb: int = Field(2_048, ge=16)

    @model_validator(mode="after")
    def _one_tls_mode(self) -> MailboxSettings:
        if self.tls and self.starttls:
            raise ValueError("set tls = true (IMAPS) or starttls = true (with tls = false), not both")
        return self


class OutcomeSettings(Section):
    """``[outcomes]``: follow-ups, mailbox linking and the calibration of scoring (docs/outcomes.md)."""

    #: Confirmed outcomes (interview/offer vs rejected/no_response) needed before a calibration is fitted.
    min_outcomes: int = Field(50, ge=10)
    #: Share of the outcomes held back to judge a new calibration against the current scoring.
    holdout_fraction: float = Field(0.3, gt=0.05, lt=0.9)
    #: A calibration ships only when its AUC beats the current one at this one-sided significance.
    ship_alpha: float = Field(0.05, gt=0, lt=0.5)
    #: delong (closed form) or bootstrap (paired, stratified resamples).
    ship_test: Literal["delong", "bootstrap"] = "delong"
    bootstrap_samples: int = Field(2_000, ge=100, le=100_000)
    #: L2 penalty of the logistic regression (on the component weights, not the intercept).
    l2: float = Field(1.0, ge=0)
    score_bands: int = Field(10, ge=2, le=50)
    seed: int = 13
    #: Follow up this many business days after submission when no outcome is known.
    followup_business_days: int = Field(7, ge=1, le=60)
    #: At most this many follow-ups per application (one per period of followup_business_days).
    followup_max: int = Field(2, ge=0, le=10)
    #: The sender identity of a follow-up to a recruiter: ``relay`` (From "<candidate's name>
    #: <SENDER_EMAIL>", Reply-To the candidate's own address) or ``candidate`` (From the candidate's own
    #: address, for a relay allowed to send as them).
    followup_from: Literal["relay", "candidate"] = "relay"
    #: Days that are not business days besides weekends (ISO dates).
    holidays: list[str] = []
    #: A message is linked to an application only at or above this confidence (0-1).
    link_threshold: float = Field(0.6, ge=0, le=1)
    #: Messages older than this many days after nothing was submitted are not linked.
    link_window_days: int = Field(120, ge=1)
    mailboxes: dict[str, MailboxSettings] = {}

    @field_validator("holidays")
    @classmethod
    def _iso_dates(cls, value: list[str]) -> list[str]:
        from datetime import date

        for d in value:
            try:
                date.fromisoformat(d)
            except ValueError:
                raise ValueError(f"holiday {d!r} is not an ISO date (YYYY-MM-DD)") from None
        return value


class ConsoleSettings(Section):
    refresh_seconds: float = Field(1.0, gt=0)
    page_size: int = Field(200, ge=10, le=5_000)
    readonly: bool = False
    #: Key remapping: binding id -> keys, e.g. ``retry = "R"``.
    keys: dict[str, str] = {}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TALVIX_",
        env_nested_delimiter="__",
        env_file=None,
        extra="forbid",
        validate_default=True,
    )

    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("talvix")))
    storage_root: Path | None = None
    #: Encrypt the storage root's files that hold personal data (docs/hardening.md).
    encrypt_files: bool = False
    database_url: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("TALVIX_DATABASE_URL", "SUPABASE_DB_URL", "DATABASE_URL", "database_url"),
    )
    encryption_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TALVIX_ENCRYPTION_KEY", "encryption_key")
    )
    timezone: str = "Asia/Kolkata"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    database: DatabaseSettings = DatabaseSettings()
    queue: QueueSettings = QueueSettings()
    runner: RunnerSettings = RunnerSettings()
    schedules: dict[str, ScheduleSpec] = {}
    agents: dict[str, AgentSettings] = {}
    sites: dict[str, SiteSettings] = {}
    score: ScoreSettings = ScoreSettings()
    discovery: DiscoverySettings = DiscoverySettings()
    llm: LLMSettings = LLMSettings()
    documents: DocumentSettings = DocumentSettings()
    apply: ApplySettings = ApplySettings()
    console: ConsoleSettings = ConsoleSettings()
    outcomes: OutcomeSettings = OutcomeSettings()

    # API keys: environment only.
    gemini_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("GEMINI_API_KEY", "TALVIX_GEMINI_API_KEY"))
    anthropic_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "TALVIX_ANTHROPIC_API_KEY")
    )
    sarvam_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("SARVAM_API_KEY", "TALVIX_SARVAM_API_KEY"))
    openai_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("OPENAI_API_KEY", "TALVIX_OPENAI_API_KEY"))

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @classmethod
    def settings_customise_sources(  # type: ignore[override]  # the file sources are taken and dropped on purpose
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        **_file_sources: PydanticBaseSettingsSource,  # env-file and secrets-dir: never read, secrets come from the environment
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml = _CONFIG_FILE.get("path")
        if toml is not None:
            sources.append(_SecretFreeToml(settings_cls, toml_file=toml))
        return tuple(sources)

    # -- derived paths -------------------------------------------------------------------------
    @property
    def storage_path(self) -> Path:
        return self.storage_root if self.storage_root is not None else self.data_dir / "storage"

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    def agent_settings(self, agent: str) -> AgentSettings:
        return self.agents.get(agent, AgentSettings())


_CONFIG_FILE: dict[str, Path | None] = {"path": None}
_SECRET_KEYS = {
    "database_url",
    "encryption_key",
    "gemini_api_key",
    "anthropic_api_key",
    "sarvam_api_key",
    "openai_api_key",
}


class _SecretFreeToml(TomlConfigSettingsSource):
    """talvix.toml holds non-secret settings only: a secret found there is refused."""

    def __call__(self) -> dict[str, Any]:
        data = super().__call__()
        found = sorted(_SECRET_KEYS.intersection(self.toml_data))
        if isinstance(self.toml_data.get("apply"), dict) and "proxy_url" in self.toml_data["apply"]:
            found.append("apply.proxy_url")
        if found:
            raise ConfigError(
                f"setting '{found[0]}' must not be in talvix.toml: secrets come only from the environment "
                f"(e.g. doppler run -- talvix ...)"
            )
        return data


def _env_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if not parts:
        return "TALVIX_*"
    return "TALVIX_" + "__".join(p.upper() for p in parts)


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build settings, or raise :class:`ConfigError` with one line naming the bad setting."""
    path: Path | None
    if config_file is not None:
        path = Path(config_file)
        if path.is_dir():
            raise ConfigError(f"config file {path} is a folder, not a file; give the path of talvix.toml in it")
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}" if not path.exists() else
                              f"config file {path} is not a regular file (a device, pipe or socket); give a file")
    else:
        path = Path.cwd() / "talvix.toml"
        if not path.is_file():
            path = None
    _CONFIG_FILE["path"] = path
    overrides = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err.get("loc", ()))
        name = ".".join(str(p) for p in loc) or "settings"
        where = f" (from {path})" if path is not None else ""
        raise ConfigError(
            f"bad setting '{name}' [{_env_name(loc)}]{where}: {err.get('msg', 'invalid value')}"
        ) from None
    except ValueError as exc:  # e.g. a malformed talvix.toml
        raise ConfigError(f"cannot read settings{f' from {path}' if path else ''}: {exc}") from None
    finally:
        _CONFIG_FILE["path"] = None
    for name, folder in (("data_dir", settings.data_dir), ("storage_root", settings.storage_root)):
        if folder is not None and folder.exists() and not folder.is_dir():
            raise ConfigError(f"bad setting '{name}' [{_env_name((name,))}]: {folder} is a file, not a folder "
                              "(point it at a folder; a missing one is created)")
    if settings.database_url is not None and settings.encryption_key is None:
        # Several servers share one database: a per-machine key file would make their data unreadable
        # to each other, so a configured database needs the key from the environment too.
        raise ConfigError(
            "setting 'encryption_key' [TALVIX_ENCRYPTION_KEY] is required when a database URL is configured "
            "(generate one with: talvix keygen)"
        )
    if settings.encryption_key is not None:
        # A malformed key is refused at once, not by the first command that happens to decrypt something
        # (a listing that decrypts nothing would otherwise succeed with it).
        from core.crypto import _decode_key

        _decode_key(settings.encryption_key.get_secret_value())
    return settings
