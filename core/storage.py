"""Artifacts on the storage root (``/storage`` in production, ``<data dir>/storage`` by default).

Files go in the fixed folders ``parsed-resumes/ jds/ tailored/ cover-letters/ screenshots/
calibration/``; names are sanitised so nothing escapes the root, writes are atomic, and the database
records the relative path and SHA-256 of every file.

Personal data on a shared disk (docs/hardening.md): every file is written 0600 and every folder 0700.
With ``encrypt_files = true`` (``TALVIX_ENCRYPT_FILES=1``) the files of the folders that hold personal
data (:data:`PERSONAL_FOLDERS`) are written encrypted with the database's key (AES-256-GCM, the header
:data:`MAGIC`); :meth:`Storage.read` and :meth:`Storage.plain` read them back transparently, whatever the
setting is now. The SHA-256 recorded is always that of the plaintext.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb

from core.config import STORAGE_FOLDERS
from core.errors import TalvixError

#: Folders whose files hold a candidate's personal data: originals and parsed resumes, tailored resumes
#: and interview notes, cover letters, and the apply receipts (screenshots of filled forms, the
#: before-submit HTML, receipt.json with the answers). ``jds/`` and ``calibration/`` hold none.
PERSONAL_FOLDERS = ("parsed-resumes", "tailored", "cover-letters", "screenshots")
#: The first bytes of an encrypted file (then the AES-GCM nonce, ciphertext and tag).
MAGIC = b"TALVIX-ENC1\n"
_FILE_CONTEXT = b"talvix-file-v1"

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str, *, max_len: int = 120) -> str:
    """A file-name component that cannot traverse paths or hide: ``../../etc/passwd`` -> ``etc_passwd``."""
    name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    name = _SAFE.sub("_", name).strip("._-")
    name = re.sub(r"_{2,}", "_", name)
    name = re.sub(r"_+\.", ".", name)
    if not name:
        name = "file"
    if len(name) > max_len:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: max_len - len(ext) - 1] + "." + ext
        else:
            name = name[:max_len]
    return name


@dataclass(frozen=True)
class StoredFile:
    folder: str
    relpath: str  # relative to the storage root, forward slashes
    path: Path
    sha256: str
    size: int


def _mkdirs(path: Path) -> None:
    """``mkdir -p`` with 0700 for every folder it creates."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(d, 0o700)  # whatever the umask


class Storage:
    """The storage root. ``cipher`` (a :class:`core.crypto.Cipher`, or a function returning one) opens
    encrypted files; with ``encrypt`` new files of :data:`PERSONAL_FOLDERS` are written encrypted."""

    def __init__(self, root: Path, *, cipher: Any = None, encrypt: bool = False) -> None:
        self.root = Path(root)
        self._cipher_src = cipher
        self._cipher: Any = None if callable(cipher) else cipher
        self.encrypt = bool(encrypt)
        if self.encrypt and cipher is None:
            raise TalvixError("encrypted storage needs the encryption key")
        self._plain_dir: Path | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> Storage:
        """The configured root; the key is loaded when a file needs it."""
        def cipher() -> Any:
            from core.crypto import load_cipher

            return load_cipher(settings)

        return cls(settings.storage_path, cipher=cipher, encrypt=bool(getattr(settings, "encrypt_files", False)))

    @property
    def cipher(self) -> Any:
        if self._cipher is None:
            if self._cipher_src is None:
                raise TalvixError("this file is encrypted and no encryption key was given (TALVIX_ENCRYPTION_KEY)")
            self._cipher = self._cipher_src()
        return self._cipher

    def ensure(self) -> None:
        for folder in STORAGE_FOLDERS:
            _mkdirs(self.root / folder)

    def path_for(self, folder: str, *parts: str | int) -> Path:
        if folder not in STORAGE_FOLDERS:
            raise TalvixError(f"unknown storage folder {folder!r}; expected one of {', '.join(STORAGE_FOLDERS)}")
        if not parts:
            raise TalvixError("a file name is required")
        rel = Path(folder, *(safe_name(str(p)) for p in parts))
        full = (self.root / rel).resolve()
        root = self.root.resolve()
        if root not in full.parents:
            raise TalvixError(f"refusing a path outside the storage root: {rel}")
        return full

    def resolve(self, relpath: str) -> Path:
        """Absolute path of a stored relative path, refusing anything outside the root."""
        full = (self.root / relpath).resolve()
        if self.root.resolve() not in full.parents:
            raise TalvixError(f"refusing a path outside the storage root: {relpath}")
        return full

    def write(self, folder: str, *parts: str | int, data: bytes | str) -> StoredFile:
        if isinstance(data, str):
            data = data.encode("utf-8")
        full = self.path_for(folder, *parts)
        _mkdirs(full.parent)
        body = self._seal(data) if self.encrypt and folder in PERSONAL_FOLDERS else data
        fd, tmp = tempfile.mkstemp(dir=full.parent, prefix=".tmp-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, full)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        rel = full.relative_to(self.root.resolve()).as_posix()
        return StoredFile(folder, rel, full, hashlib.sha256(data).hexdigest(), len(data))

    def hash_file(self, path: Path) -> str:
        """SHA-256 of a file's plaintext (an encrypted file is opened first)."""
        if is_encrypted(path):
            return hashlib.sha256(self.read(path)).hexdigest()
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()

    # -- encryption at rest ------------------------------------------------------------------------
    def _seal(self, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return MAGIC + nonce + self.cipher.aead.encrypt(nonce, data, _FILE_CONTEXT)

    def _open(self, blob: bytes, where: Path) -> bytes:
        from cryptography.exceptions import InvalidTag

        body = blob[len(MAGIC):]
        if len(body) < 12 + 16:
            raise TalvixError(f"encrypted file {where.name} is truncated")
        try:
            return self.cipher.aead.decrypt(body[:12], body[12:], _FILE_CONTEXT)
        except InvalidTag:
            raise TalvixError(f"cannot decrypt {where.name}: TALVIX_ENCRYPTION_KEY differs from the key it was "
                              "written with, or the file was altered") from None

    def _abs(self, path: Path | str) -> Path:
        p = Path(path)
        return p if p.is_absolute() else self.resolve(str(path))

    def read(self, path: Path | str) -> bytes:
        """A stored file's plaintext (``path`` absolute or relative to the root)."""
        full = self._abs(path)
        blob = full.read_bytes()
        return self._open(blob, full) if blob.startswith(MAGIC) else blob

    def read_text(self, path: Path | str, errors: str = "replace") -> str:
        return self.read(path).decode("utf-8", errors)

    def plain(self, path: Path | str) -> Path:
        """A path whose bytes are the file's plaintext, for what needs a path (a browser's upload, an image
        viewer): the file itself if it is not encrypted, else a decrypted copy with the same name in a
        private 0700 folder of this process, removed at exit."""
        full = self._abs(path)
        if not is_encrypted(full):
            return full
        if self._plain_dir is None:
            self._plain_dir = Path(tempfile.mkdtemp(prefix="talvix-plain-"))
            atexit.register(shutil.rmtree, self._plain_dir, True)
        digest = hashlib.sha256(str(full).encode()).hexdigest()[:16]
        out = self._plain_dir / digest / full.name
        out.parent.mkdir(mode=0o700, exist_ok=True)
        data = self.read(full)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return out


def is_encrypted(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except (IsADirectoryError, FileNotFoundError, PermissionError):
        return False


def record_artifact(conn: Any, kind: str, stored: StoredFile, *, mime: str | None = None,
                    candidate_id: int | None = None, job_id: int | None = None,
                    application_id: int | None = None, task_id: int | None = None,
                    meta: dict[str, Any] | None = None) -> int:
    row = conn.execute(
        """INSERT INTO artifacts (kind, path, sha256, size_bytes, mime, candidate_id, job_id, application_id, task_id, meta)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        (kind, stored.relpath, stored.sha256, stored.size, mime, candidate_id, job_id, application_id,
         task_id, Jsonb(meta) if meta is not None else None),
    ).fetchone()
    return int(row["id"] if isinstance(row, dict) else row[0])
