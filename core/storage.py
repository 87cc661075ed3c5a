"""Artifacts on the storage root (``/storage`` in production, ``<data dir>/storage`` by default).

Files go in the fixed folders ``parsed-resumes/ jds/ tailored/ cover-letters/ screenshots/
calibration/``; names are sanitised so nothing escapes the root, writes are atomic, and the database
records the relative path and SHA-256 of every file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb

from core.config import STORAGE_FOLDERS
from core.errors import TalvixError

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


class Storage:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def ensure(self) -> None:
        for folder in STORAGE_FOLDERS:
            (self.root / folder).mkdir(parents=True, exist_ok=True)

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
        full.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=full.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, full)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        rel = full.relative_to(self.root.resolve()).as_posix()
        return StoredFile(folder, rel, full, hashlib.sha256(data).hexdigest(), len(data))

    def hash_file(self, path: Path) -> str:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()


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
