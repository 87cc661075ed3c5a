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
import json
import os
import secrets
from pathlib import Path
from typing import Any

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

    @property
    def aead(self) -> AESGCM:
        """The AES-256-GCM primitive (for files: core.storage)."""
        return self._aead

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


# --- personal values inside JSON columns (answer sheets, task results) ---------------------------------
#
# A sealed value is the JSON object {"$enc": "<base64 of the ciphertext of the value's JSON>"}: it takes the
# place of the value, so a reader without the key sees the shape of the document (labels, sources,
# confidence) but no personal value. ``open_sealed`` undoes it anywhere in a document; ``mask_sealed``
# shows it as MASK for output that should not reveal it.

SEALED_KEY = "$enc"
MASK = "•••"
_JSON_CONTEXT = b"talvix-json-v1"


def seal(cipher: Cipher, value: Any) -> dict[str, str]:
    blob = cipher.encrypt(json.dumps(value, ensure_ascii=False), context=_JSON_CONTEXT)
    return {SEALED_KEY: base64.b64encode(blob or b"").decode("ascii")}


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(SEALED_KEY), str)


def open_sealed(cipher: Cipher, value: Any) -> Any:
    """``value`` with every sealed value in it decrypted (documents without any come back equal)."""
    if is_sealed(value):
        try:
            blob = base64.b64decode(value[SEALED_KEY], validate=True)
        except (ValueError, binascii.Error):
            raise TalvixError("a sealed value in the database is not base64") from None
        return json.loads(cipher.decrypt(blob, context=_JSON_CONTEXT) or "null")
    if isinstance(value, dict):
        return {k: open_sealed(cipher, v) for k, v in value.items()}
    if isinstance(value, list):
        return [open_sealed(cipher, v) for v in value]
    return value


def mask_sealed(value: Any) -> Any:
    """``value`` with every sealed value shown as :data:`MASK`."""
    if is_sealed(value):
        return MASK
    if isinstance(value, dict):
        return {k: mask_sealed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_sealed(v) for v in value]
    return value


def seal_fields(cipher: Cipher, fields: Any) -> Any:
    """An answer sheet's rows with each ``value`` sealed (label, name, type, source, confidence stay)."""
    if not isinstance(fields, list):
        return fields
    out = []
    for row in fields:
        if isinstance(row, dict) and row.get("value") not in (None, "", []) and not is_sealed(row.get("value")):
            row = {**row, "value": seal(cipher, row["value"])}
        out.append(row)
    return out


def seal_answer_sheets(cipher: Cipher, doc: Any) -> Any:
    """``doc`` (an answer sheet, or a task result holding one under ``answer_sheet``) with its values sealed.

    Every answer in a sheet is a fact about the candidate (name, email, phone, salary, EEO answers...), so
    every non-empty value is sealed, not only the ones that look personal.
    """
    if not isinstance(doc, dict):
        return doc
    out = dict(doc)
    if "fields" in out:
        out["fields"] = seal_fields(cipher, out["fields"])
    if isinstance(out.get("answer_sheet"), dict):
        out["answer_sheet"] = seal_answer_sheets(cipher, out["answer_sheet"])
    return out


# --- one key per database ------------------------------------------------------------------------------

_CANARY = "talvix key check v1"
_CANARY_CONTEXT = b"talvix-key-check-v1"


def verify_key(conn: Any, cipher: Cipher) -> None:
    """Refuse a key other than the one this database's personal data is written with.

    The first host to open a migrated database stores a value encrypted with its key (table
    ``key_check``); later ones must decrypt it. Before the table exists (an unmigrated database) nothing
    is checked.
    """
    exists = conn.execute("SELECT to_regclass('key_check') IS NOT NULL AS e").fetchone()
    if not (exists["e"] if isinstance(exists, dict) else exists[0]):
        return
    row = conn.execute("SELECT canary FROM key_check WHERE id = 1").fetchone()
    if row is None:
        conn.execute("INSERT INTO key_check (id, canary) VALUES (1, %s) ON CONFLICT (id) DO NOTHING",
                     (cipher.encrypt(_CANARY, context=_CANARY_CONTEXT),))
        row = conn.execute("SELECT canary FROM key_check WHERE id = 1").fetchone()
    blob = row["canary"] if isinstance(row, dict) else row[0]
    try:
        ok = cipher.decrypt(blob, context=_CANARY_CONTEXT) == _CANARY
    except TalvixError:
        ok = False
    if not ok:
        raise ConfigError(
            "bad setting 'encryption_key' [TALVIX_ENCRYPTION_KEY]: this database's personal data was written "
            "with another key; use that key (every host of one database needs the same TALVIX_ENCRYPTION_KEY)"
        )
