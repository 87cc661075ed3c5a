"""Encryption of personal data at rest: AES-256-GCM, plus a keyed hash for lookups.

The key is 32 bytes from ``TALVIX_ENCRYPTION_KEY`` (base64 or hex). On the embedded default with no key
set, a key file with 0600 permissions is created in the data directory. Ciphertext layout:
``b"\\x01" + nonce(12) + ciphertext+tag``; the version byte leaves room for key rotation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.config import Settings
from core.errors import ConfigError, TalvixError

VERSION = b"\x01"
KEY_FILE = "encryption.key"


def generate_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _decode_key(text: str) -> bytes:
    text = text.strip()
    for decode in (bytes.fromhex, base64.urlsafe_b64decode, base64.b64decode):
        try:
            raw = decode(text)
        except (ValueError, binascii.Error):
            continue
        if len(raw) == 32:
            return raw
    raise ConfigError(
        "bad setting 'encryption_key' [TALVIX_ENCRYPTION_KEY]: must be 32 bytes as base64 or hex "
        "(generate one with: talvix keygen)"
    )


class Cipher:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        # A separate subkey for the lookup hash, so the hash reveals nothing about the AEAD key.
        self._hash_key = hmac.new(key, b"talvix-lookup-hash-v1", hashlib.sha256).digest()

    def encrypt(self, value: str | None, *, context: bytes = b"") -> bytes | None:
        if value is None:
            return None
        nonce = os.urandom(12)
        return VERSION + nonce + self._aead.encrypt(nonce, value.encode("utf-8"), context or None)

    def decrypt(self, blob: bytes | memoryview | None, *, context: bytes = b"") -> str | None:
        if blob is None:
            return None
        blob = bytes(blob)
        if blob[:1] != VERSION or len(blob) < 13 + 16:
            raise TalvixError("encrypted value has an unknown format")
        try:
            return self._aead.decrypt(blob[1:13], blob[13:], context or None).decode("utf-8")
        except InvalidTag:
            raise TalvixError(
                "cannot decrypt stored personal data: TALVIX_ENCRYPTION_KEY differs from the key it was written with"
            ) from None

    def lookup_hash(self, value: str) -> bytes:
        """Keyed hash of a normalised value (e.g. an email), for equality lookups."""
        return hmac.new(self._hash_key, value.strip().lower().encode("utf-8"), hashlib.sha256).digest()


def load_cipher(settings: Settings) -> Cipher:
    if settings.encryption_key is not None:
        return Cipher(_decode_key(settings.encryption_key.get_secret_value()))
    path = settings.data_dir / KEY_FILE
    return Cipher(_decode_key(_read_or_create_key_file(path)))


def _read_or_create_key_file(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            os.chmod(path, 0o600)
        return path.read_text()
    with os.fdopen(fd, "w") as fh:
        fh.write(generate_key())
    return path.read_text()
