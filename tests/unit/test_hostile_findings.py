"""Bad inputs that bench/hostile.py found answered generically or accepted silently (issue 11)."""

from __future__ import annotations

import re

import pytest

from core.candidates.resume.extract import MAX_CHARS, ResumeError, read_resume_bytes
from core.config import load_settings
from core.crypto import generate_key
from core.db import check_url
from core.errors import ConfigError, InvalidInput
from core.queue import MAX_KEY_CHARS, check_key


@pytest.mark.parametrize("url, says", [
    ("mysql://u:p@127.0.0.1/x", "the scheme must be postgresql://, not mysql://"),
    ("not a url at all", "not a connection string"),
    ("postgresql://u:hunter@two/three@127.0.0.1:5432/x", "holds '@' or '/'; percent-encode"),
    ("postgresql://u:hunter@two@127.0.0.1:5432/x", "holds '@' or '/'; percent-encode"),
])
def test_a_database_url_libpq_would_misread_is_refused_without_showing_it(url, says):
    with pytest.raises(ConfigError) as exc:
        check_url(url)
    message = str(exc.value)
    assert says in message and "TALVIX_DATABASE_URL" in message
    assert "hunter" not in message and "two" not in message and "three" not in message


@pytest.mark.parametrize("url", [
    "postgresql://u:p%40ss%2Fw@127.0.0.1:5432/x",
    "postgres://u@db.example.com/x?sslmode=require",
    "postgresql://postgres:pw@/talvix?host=/tmp/pg",
    "host=127.0.0.1 dbname=talvix user=u",
])
def test_good_database_urls_pass(url):
    assert check_url(url) == url


def test_a_malformed_encryption_key_is_refused_when_settings_load(tmp_path):
    with pytest.raises(ConfigError, match="must be 32 bytes as base64 or hex"):
        load_settings(data_dir=tmp_path, encryption_key="abc")
    assert load_settings(data_dir=tmp_path, encryption_key=generate_key()).encryption_key is not None


@pytest.mark.parametrize("key, says", [
    ("a\x01b", "control characters (found U+0001)"),
    ("a\x00b", "control characters (found U+0000)"),
    ("tab\there", "control characters (found U+0009)"),
    ("k" * (MAX_KEY_CHARS + 1), f"at most {MAX_KEY_CHARS} characters"),
    ("   ", "cannot be empty"),
])
def test_a_bad_idempotency_key_is_refused(key, says):
    with pytest.raises(InvalidInput, match=re.escape(says)):
        check_key(key)
    check_key("discover:greenhouse:acme:2026-12-02")
    check_key("ünïcode-key ok")


def test_a_resume_of_more_text_than_any_resume_is_refused_at_once():
    import time

    start = time.monotonic()
    with pytest.raises(ResumeError, match=f"at most {MAX_CHARS:,}"):
        read_resume_bytes(b"x" * (5 << 20), "one-line.txt")
    assert time.monotonic() - start < 5  # it used to be parsed: 40 s for 5 MB
    assert read_resume_bytes(b"ASHA RAO\nasha@example.com\n" * 1000, "cv.txt").lines


def test_a_folder_or_device_given_as_the_config_file_is_named_as_such(tmp_path):
    with pytest.raises(ConfigError, match="is a folder, not a file"):
        load_settings(tmp_path, data_dir=tmp_path)
    with pytest.raises(ConfigError, match="not a regular file"):
        load_settings("/dev/null", data_dir=tmp_path)
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "missing.toml", data_dir=tmp_path)
