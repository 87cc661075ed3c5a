"""Outcomes of applications and what Talvix learns from them: operator records, mailbox reading,
follow-ups and the calibration of scoring (see docs/outcomes.md).

:func:`record_outcome` is the one call a front end (the CLI, the console) makes to record an operator's
outcome; it imports the heavy parts only when called, so importing this package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.crypto import Cipher
    from core.db import Database


def record_outcome(db: Database, cipher: Cipher, application_id: int, kind: str, *, note: str | None = None,
                   who: str | None = None) -> dict[str, Any]:
    """Record an operator's outcome of an application, confirmed at once, in its own transaction.

    ``kind`` is one of :data:`core.outcomes.kinds.OPERATOR_KINDS` (no_response, rejected, interview, offer,
    withdrawn); ``note`` is optional (control characters removed, stored encrypted, at most 2,000
    characters); ``who`` is the actor written to the audit log (default: the OS user@host). Returns
    ``{"id", "application_id", "kind", "created", "status", "follow_ons"}`` (``created`` False when the same
    outcome was already recorded). Raises :class:`core.errors.InvalidInput` (unknown kind, note too long, an
    application never submitted for anything but ``withdrawn``) or :class:`core.errors.NotFound`.
    """
    from core.outcomes.records import record_outcome as _record

    return _record(db, cipher, application_id, kind, note=note, who=who)
