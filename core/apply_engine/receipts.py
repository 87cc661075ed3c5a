"""The receipt of one application: what was sent, to where, when, and what the page looked like.

Everything lands under the storage root in ``screenshots/<application_id>/``: ``NN-step.png`` for each
step (loaded, filled, before submit, confirmation or error), ``NN-before-submit.html`` (the DOM with
the values as filled) and ``receipt.json`` (answers, SHA-256 of every uploaded file, timestamps,
outcome, URLs). Every file is recorded in ``artifacts``; the receipt's path goes in
``applications.receipt_path``. The live ``apply_sessions`` row is updated at each step so the console
shows the latest screenshot.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.db import Database
from core.storage import Storage, StoredFile, record_artifact

FOLDER = "screenshots"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Receipt:
    """Collects one session's evidence and writes it as it happens (a crash still leaves the steps)."""

    def __init__(self, storage: Storage, db: Database | None, application_id: int, *, task_id: int | None = None,
                 candidate_id: int | None = None, job_id: int | None = None, session_id: int | None = None,
                 copy_to: Path | None = None) -> None:
        self.storage = storage
        self.db = db
        self.application_id = application_id
        self.task_id = task_id
        self.candidate_id = candidate_id
        self.job_id = job_id
        self.session_id = session_id
        self.copy_to = copy_to
        self.steps: list[dict[str, Any]] = []
        self.screenshots: list[str] = []  # relative to the storage root
        self.copies: list[str] = []  # absolute paths in --screenshots DIR
        self.files: dict[str, dict[str, str]] = {}
        self.data: dict[str, Any] = {"application_id": application_id, "started_at": _now()}
        self._n = self._next_number()

    def _next_number(self) -> int:
        folder = self.storage.root / FOLDER / str(self.application_id)
        if not folder.is_dir():
            return 1
        numbers = [int(p.name[:2]) for p in folder.glob("[0-9][0-9]-*") if p.name[:2].isdigit()]
        return max(numbers, default=0) + 1

    def _record(self, kind: str, stored: StoredFile, mime: str, meta: dict[str, Any] | None = None) -> None:
        if self.db is None:
            return
        with self.db.connection() as conn:
            record_artifact(conn, kind, stored, mime=mime, candidate_id=self.candidate_id, job_id=self.job_id,
                            application_id=self.application_id, task_id=self.task_id, meta=meta)

    def step(self, name: str, png: bytes | None, *, url: str | None = None, note: str | None = None) -> str | None:
        """Save the screenshot of one step and move the live session on to it."""
        rel = None
        if png:
            stored = self.storage.write(FOLDER, str(self.application_id), f"{self._n:02d}-{name}.png", data=png)
            rel = stored.relpath
            self.screenshots.append(rel)
            self._record("screenshot", stored, "image/png", {"step": name, "url": url})
            if self.copy_to is not None:
                self.copy_to.mkdir(parents=True, exist_ok=True)
                dest = self.copy_to / f"{self.application_id}-{self._n:02d}-{name}.png"
                shutil.copyfile(stored.path, dest)
                self.copies.append(str(dest))
            self._n += 1
        self.steps.append({"step": name, "at": _now(), "url": url, "screenshot": rel, **({"note": note} if note else {})})
        self.update_session(name, url, rel)
        return rel

    def dom(self, html: str) -> str:
        stored = self.storage.write(FOLDER, str(self.application_id), f"{self._n:02d}-before-submit.html", data=html)
        self._n += 1
        self._record("dom_snapshot", stored, "text/html")
        self.data["dom_snapshot"] = stored.relpath
        return stored.relpath

    def add_file(self, kind: str, path: Path) -> None:
        self.files[kind] = {"name": path.name, "sha256": sha256_file(path), "size": str(path.stat().st_size)}

    def update_session(self, step: str, url: str | None, screenshot: str | None) -> None:
        if self.db is None or self.session_id is None:
            return
        self.db.execute(
            """UPDATE apply_sessions SET step = %s, url = COALESCE(%s, url),
                      last_screenshot = COALESCE(%s, last_screenshot), updated_at = now() WHERE id = %s""",
            (step, url, screenshot, self.session_id))

    def write(self, outcome: str, **extra: Any) -> str:
        """Write ``receipt.json`` (again, if called twice) and return its relative path."""
        self.data.update(extra)
        self.data.update({"outcome": outcome, "finished_at": _now(), "steps": self.steps,
                          "screenshots": self.screenshots, "files": self.files})
        stored = self.storage.write(FOLDER, str(self.application_id), "receipt.json",
                                    data=json.dumps(self.data, indent=2, default=str, sort_keys=True))
        self._record("receipt", stored, "application/json", {"outcome": outcome})
        return stored.relpath


def start_session(db: Database, application_id: int, *, task_id: int | None, runner_id: str | None,
                  site: str | None, url: str | None) -> int:
    # A session of this application still "live" belongs to a runner that died: close it for the console.
    db.execute("""UPDATE apply_sessions SET ended_at = now(), outcome = 'abandoned', updated_at = now()
                   WHERE application_id = %s AND ended_at IS NULL""", (application_id,))
    return int(db.value(
        """INSERT INTO apply_sessions (application_id, task_id, runner_id, site, step, url)
           VALUES (%s, %s, %s, %s, 'starting', %s) RETURNING id""",
        (application_id, task_id, runner_id, site, url)))


def end_session(db: Database, session_id: int, outcome: str) -> None:
    db.execute("UPDATE apply_sessions SET ended_at = now(), outcome = %s, updated_at = now() WHERE id = %s",
               (outcome, session_id))
