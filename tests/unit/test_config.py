"""Settings: precedence, secrets only from the environment, one clear line for a bad value."""

from __future__ import annotations

import pytest

from core.config import load_settings
from core.errors import ConfigError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    import os

    for k in list(os.environ):
        if k.startswith("TALVIX_") or k in ("DATABASE_URL", "SUPABASE_DB_URL"):
            monkeypatch.delenv(k)
    monkeypatch.chdir(tmp_path)


def test_precedence_option_over_env_over_toml_over_default(tmp_path, monkeypatch):
    (tmp_path / "talvix.toml").write_text('timezone = "Europe/Berlin"\n[queue]\nlease_seconds = 100\npoll_seconds = 7\n')
    s = load_settings()
    assert (s.timezone, s.queue.lease_seconds, s.queue.poll_seconds, s.queue.max_attempts) == ("Europe/Berlin", 100, 7, 5)
    monkeypatch.setenv("TALVIX_QUEUE__LEASE_SECONDS", "200")
    monkeypatch.setenv("TALVIX_TIMEZONE", "UTC")
    s = load_settings()
    assert (s.timezone, s.queue.lease_seconds, s.queue.poll_seconds) == ("UTC", 200, 7)
    s = load_settings(timezone="Asia/Kolkata")
    assert s.timezone == "Asia/Kolkata"


def test_config_option_names_a_file(tmp_path):
    other = tmp_path / "elsewhere.toml"
    other.write_text("[runner]\nconcurrency = 9\n")
    assert load_settings(other).runner.concurrency == 9
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "missing.toml")


def test_database_url_aliases(monkeypatch):
    monkeypatch.setenv("TALVIX_ENCRYPTION_KEY", "00" * 32)
    for var in ("DATABASE_URL", "SUPABASE_DB_URL", "TALVIX_DATABASE_URL"):
        monkeypatch.setenv(var, f"postgresql://u:p@h/{var}")
        assert load_settings().database_url.get_secret_value().endswith(var)


def test_configured_database_needs_the_encryption_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("SUPABASE_DB_URL", "postgresql://u:p@db.example.supabase.co:5432/postgres")
    with pytest.raises(ConfigError, match=r"TALVIX_ENCRYPTION_KEY.*required"):
        load_settings()


def test_env_files_are_never_read(tmp_path):
    (tmp_path / ".env").write_text("TALVIX_DATABASE_URL=postgresql://leak@h/db\nTALVIX_TIMEZONE=UTC\n")
    s = load_settings()
    assert s.database_url is None and s.timezone == "Asia/Kolkata"


def test_secrets_in_the_toml_file_are_refused(tmp_path):
    (tmp_path / "talvix.toml").write_text('database_url = "postgresql://u:secret@h/db"\n')
    with pytest.raises(ConfigError, match="must not be in talvix.toml") as err:
        load_settings()
    assert "secret@" not in str(err.value)


@pytest.mark.parametrize(
    ("env", "toml", "expected"),
    [
        ({"TALVIX_QUEUE__LEASE_SECONDS": "soon"}, "", "bad setting 'queue.lease_seconds' [TALVIX_QUEUE__LEASE_SECONDS]"),
        ({}, "[runner]\nconcurrency = 0\n", "bad setting 'runner.concurrency' [TALVIX_RUNNER__CONCURRENCY]"),
        ({"TALVIX_TIMEZONE": "Mars/Olympus"}, "", "bad setting 'timezone' [TALVIX_TIMEZONE]"),
        ({}, "[queue]\nlease_secs = 3\n", "bad setting 'queue.lease_secs'"),
        ({}, "[queue\n", "cannot read settings"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(tmp_path, monkeypatch, env, toml, expected):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    if toml:
        (tmp_path / "talvix.toml").write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(err.value).startswith(expected)
    assert "\n" not in str(err.value)
    assert err.value.exit_code == 2


def test_storage_root_defaults_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TALVIX_DATA_DIR", str(tmp_path / "d"))
    assert load_settings().storage_path == tmp_path / "d" / "storage"
    monkeypatch.setenv("TALVIX_STORAGE_ROOT", "/storage")
    assert str(load_settings().storage_path) == "/storage"
