"""Event retention: events older than the retention period are purged in batches.

The console and the CLI read events through :mod:`core.browse.pages`; runners write them with :func:`core.queue.add_event`.
"""

from __future__ import annotations

from core.db import Database


def purge_events(db: Database, older_than_days: int) -> int:
    """Event retention: delete events older than the retention period, in batches."""
    total = 0
    while True:
        rows = db.execute(
            """DELETE FROM events WHERE id IN (
                   SELECT id FROM events WHERE ts < now() - make_interval(days => %s) LIMIT 10000)
               RETURNING 1""",
            (older_than_days,),
        )
        total += len(rows)
        if len(rows) < 10000:
            return total
