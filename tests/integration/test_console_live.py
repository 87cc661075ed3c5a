"""Live refresh: NOTIFY wakes the console (coalesced to at most a few refreshes a second); without
LISTEN (a transaction pooler) it polls and says so."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta

from core import queue
from core.models import NewTask
from tests.support.console_support import (
    FROZEN,
    make_app,
    open_view,
    refreshed,
    screen_text,
    until,
)


def test_notify_brings_new_tasks_in_without_a_keypress(settings, demo):
    async def main():
        app = make_app(settings, demo, live=True)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "2")
            assert app.live_warning is None and any(w.group == "listen" for w in list(app.workers))
            await pilot.pause(1.5)  # the listener is connected
            task, _ = queue.enqueue(demo, NewTask("ping", {"live": 1}))
            await until(pilot, lambda: str(task.id) in view.table.keys, timeout=5, what="the new task")

    asyncio.run(main())


def test_a_burst_of_changes_is_coalesced_into_few_refreshes(settings, demo):
    async def main():
        app = make_app(settings, demo, live=True)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "2")
            await pilot.pause(1.5)
            before = app.refreshes
            start = time.monotonic()
            done = threading.Event()

            def burst() -> None:
                for i in range(200):
                    queue.enqueue(demo, NewTask("ping", {"burst": i}))
                done.set()

            threading.Thread(target=burst, daemon=True).start()
            await until(pilot, done.is_set, timeout=30)
            last = demo.one("SELECT max(id) AS m FROM tasks")["m"]
            await until(pilot, lambda: str(last) in view.table.keys, timeout=10, what="the last task")
            elapsed = time.monotonic() - start
            refreshes = app.refreshes - before
            assert 1 <= refreshes <= elapsed / settings.console.refresh_seconds + 2, (refreshes, elapsed)

    asyncio.run(main())


def test_without_listen_the_console_polls_and_says_so(settings, demo):
    fast = settings.model_copy(update={"queue": settings.queue.model_copy(update={"poll_seconds": 0.5})})
    pooler_url = demo.url + ("&" if "?" in demo.url else "?") + "application_name=pgbouncer"

    async def main():
        app = make_app(fast, demo, live=True, listen_url=pooler_url)
        async with app.run_test(size=(160, 40)) as pilot:
            view = await open_view(pilot, "2")
            await until(pilot, lambda: app.live_warning, timeout=5)
            await until(pilot, lambda: "polling" in screen_text(app), timeout=5)
            task, _ = queue.enqueue(demo, NewTask("ping", {"poll": 1}))
            await until(pilot, lambda: str(task.id) in view.table.keys, timeout=5, what="polled task")

    asyncio.run(main())


def test_a_refresh_redraws_only_the_changed_task_and_keeps_the_cursor(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(160, 48)) as pilot:
            view = await open_view(pilot, "2")
            keys = view.table.keys
            view.table.move_to_key(keys[3])
            before = dict(view.table._cells)
            changed = keys[5]
            demo.execute("UPDATE tasks SET attempts = attempts + 7 WHERE id = %s", (int(changed),))
            await refreshed(pilot)
            after = view.table._cells
            assert str(view.rows[changed]["attempts"]) in after[changed][4].plain
            assert after[changed] is not before[changed]
            assert all(after[k] is before[k] for k in keys if k != changed)  # cells reused, not rebuilt
            assert view.table.cursor_key == keys[3]
            await pilot.pause()
            row = view.rows[changed]
            line = next(ln for ln in screen_text(app).splitlines() if f" {changed} " in ln)
            assert f"{row['attempts']}/{row['max_attempts']}" in line  # the screen shows the new cell

    asyncio.run(main())


def test_ages_tick_on_refresh_even_when_no_row_changed(settings, demo):
    now = [FROZEN]

    async def main():
        app = make_app(settings, demo, clock=lambda: now[0])
        async with app.run_test(size=(160, 48)) as pilot:
            view = await open_view(pilot, "2")
            key = view.table.keys[0]
            shown = view.table._cells[key][6].plain
            await refreshed(pilot)
            assert view.table._cells[key][6].plain == shown  # same clock, same rows: nothing redrawn
            now[0] = FROZEN + timedelta(hours=3)
            await refreshed(pilot)
            ticked = view.table._cells[key][6].plain
            assert ticked != shown and ticked.startswith("3h"), (shown, ticked)

    asyncio.run(main())
