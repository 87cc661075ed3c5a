"""Helpers for the console tests: the demo data set at frozen times, and waiting on the live app."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from core.db import Database

FROZEN = datetime(2026, 1, 15, 10, 0, 0, tzinfo=UTC)


def freeze_times(db: Database, at: datetime = FROZEN) -> None:
    """Rewrite every timestamp to a fixed value derived from the row id, so snapshots never drift."""
    p = {"at": at}
    statements = [
        """UPDATE tasks SET created_at = %(at)s - make_interval(secs => 3600 - id * 20),
                            updated_at = %(at)s - make_interval(secs => 1800 - id * 15),
                            run_at = %(at)s - make_interval(secs => 2400 - id * 20),
                            started_at = CASE WHEN started_at IS NULL THEN NULL ELSE %(at)s - make_interval(secs => 1900 - id * 15) END,
                            finished_at = CASE WHEN finished_at IS NULL THEN NULL ELSE %(at)s - make_interval(secs => 1800 - id * 15) END,
                            lease_until = CASE WHEN lease_until IS NULL THEN NULL ELSE %(at)s + interval '1 hour' END""",
        "UPDATE events SET ts = %(at)s - make_interval(secs => 4000 - id * 10)",
        """UPDATE runners SET started_at = %(at)s - interval '2 hours',
                              heartbeat_at = CASE WHEN status = 'gone' THEN %(at)s - interval '1 day' ELSE %(at)s - interval '4 seconds' END,
                              stopped_at = CASE WHEN stopped_at IS NULL THEN NULL ELSE %(at)s - interval '1 day' END""",
        """UPDATE apply_sessions SET started_at = %(at)s - make_interval(secs => 400 - id * 100),
                                     updated_at = %(at)s - interval '5 seconds',
                                     ended_at = CASE WHEN ended_at IS NULL THEN NULL ELSE %(at)s - interval '20 minutes' END""",
        """UPDATE applications SET created_at = %(at)s - interval '3 hours', updated_at = %(at)s - make_interval(secs => 900 - id * 60),
                                   submit_marker_at = CASE WHEN submit_marker_at IS NULL THEN NULL ELSE %(at)s - interval '30 minutes' END,
                                   submitted_at = CASE WHEN submitted_at IS NULL THEN NULL ELSE %(at)s - interval '30 minutes' END""",
        """UPDATE jobs SET first_seen_at = %(at)s - interval '2 days', last_seen_at = %(at)s - interval '1 hour',
                           created_at = %(at)s - interval '2 days', updated_at = %(at)s - interval '1 hour',
                           closed_at = CASE WHEN closed_at IS NULL THEN NULL ELSE %(at)s - interval '1 hour' END""",
        "UPDATE candidates SET created_at = %(at)s - interval '5 days', updated_at = %(at)s - interval '5 days'",
        "UPDATE operator_actions SET ts = %(at)s - make_interval(secs => 3000 - id * 60)",
        "UPDATE agent_controls SET updated_at = %(at)s - interval '1 hour'",
        "UPDATE artifacts SET created_at = %(at)s - interval '1 hour'",
    ]
    with db.transaction() as conn:
        for sql in statements:
            conn.execute(sql, p)


async def until(pilot: Any, predicate: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    """Let the app run until ``predicate()`` is truthy (workers finish, messages are handled)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await pilot.pause(0.02)


async def loaded(pilot: Any, screen: Any = None, after: int = 0) -> None:
    """Wait until the screen on top has shown a fetch (beyond ``after`` earlier ones)."""
    app = pilot.app
    await until(pilot, lambda: getattr(screen or app.screen, "loads", 0) > after, what="the view to load")
    await settle(app)
    await pilot.pause()


def sync_wait(predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = predicate()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError("timed out")


def run_async(coro: Any) -> Any:
    return asyncio.run(coro)


def screen_text(app: Any) -> str:
    """What the terminal shows now, as plain text (for assertions on content)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)




def make_app(settings: Any, db: Database, **kw: Any) -> Any:
    from tui.app import TalvixApp

    kw.setdefault("clock", lambda: FROZEN)
    kw.setdefault("live", False)
    kw.setdefault("who", "tester@console")
    return TalvixApp(settings, db, **kw)


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


async def open_view(pilot: Any, key: str) -> Any:
    """Switch to a view by its key and wait until it has shown data from the database."""
    app = pilot.app
    await pilot.press(key)
    await pilot.pause()
    screen = app.screen
    await until(pilot, lambda: screen.loads > 0 and not screen._loading, what="view load")
    await settle(app)
    await pilot.pause()
    return screen


async def refreshed(pilot: Any) -> None:
    """Ask the view on top to refresh now and wait for it."""
    screen = pilot.app.screen
    n = screen.loads
    pilot.app.refresh_now()
    await until(pilot, lambda: screen.loads > n, what="refresh")
    await settle(pilot.app)
    await pilot.pause()


async def settle(app: Any, timeout: float = 20.0) -> None:
    """Wait for the app's view fetches and action workers (not the long-lived LISTEN worker)."""
    from textual.worker import WorkerState

    deadline = time.monotonic() + timeout
    while True:
        busy = [w for w in app.workers if w.group != "listen" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if getattr(app, "fetches_pending", 0):
            busy.append(f"{app.fetches_pending} view fetch(es)")
        if not busy:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"workers still busy: {busy}")
        await asyncio.sleep(0.02)
