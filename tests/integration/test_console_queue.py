"""The queue view against a real Postgres: filter, retry, cancel (confirmed), marks, bulk retry, cursor."""

from __future__ import annotations

import asyncio

from core import queue
from core.models import NewTask
from tests.support.console_support import (
    make_app,
    open_view,
    refreshed,
    screen_text,
    settle,
    type_text,
    until,
)


def _status(db, tid):
    return queue.get_task(db, tid).status


def test_filter_with_key_value_terms_and_negation_pages_from_the_database(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "2")
            assert len(view.table.keys) == 61
            await pilot.press("slash")
            await type_text(pilot, "agent:apply !status:awaiting_approval,needs_human err:timeout")
            n = view.loads
            await pilot.press("enter")
            await until(pilot, lambda: view.loads > n and not view._loading)
            await until(pilot, lambda: view.total is not None)
            rows = [view.rows[k] for k in view.table.keys]
            assert rows and all(r["agent"] == "apply" and "timeout" in r["last_error"].lower() for r in rows)
            assert view.total == len(rows) == 1
            assert "agent:apply" in screen_text(app)
            # esc clears the filter
            n = view.loads
            await pilot.press("escape")
            await until(pilot, lambda: view.loads > n and not view._loading)
            assert len(view.table.keys) == 61

    asyncio.run(main())


def test_a_bad_filter_says_what_to_type_and_keeps_the_old_one(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test() as pilot:
            view = await open_view(pilot, "2")
            await pilot.press("slash")
            await type_text(pilot, "colour:red")
            await pilot.press("enter")
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert any("unknown filter key 'colour'" in m for m in messages)
            assert not view.filter

    asyncio.run(main())


def test_retry_acts_on_the_task_under_the_cursor_by_id(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "2")
            dead = [k for k in view.table.keys if view.rows[k]["status"] == "dead" and view.rows[k]["agent"] != "apply"][0]
            view.table.move_to_key(dead)
            await pilot.press("r")
            await until(pilot, lambda: _status(demo, int(dead)) == "queued", what="retry")
            actions = demo.execute("SELECT actor, action, target_ids FROM operator_actions WHERE action = 'retry' ORDER BY id DESC LIMIT 1")
            assert actions[0]["actor"] == "tester@console" and actions[0]["target_ids"] == [int(dead)]

    asyncio.run(main())


def test_cancel_asks_first_and_the_default_answer_is_cancel(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "2")
            queued = [k for k in view.table.keys if view.rows[k]["status"] == "queued"][0]
            view.table.move_to_key(queued)
            await pilot.press("x")
            await pilot.pause()
            assert type(app.screen).__name__ == "ConfirmScreen"
            await pilot.press("enter")  # focus is on Cancel
            await pilot.pause()
            await settle(app)
            assert _status(demo, int(queued)) == "queued"
            await pilot.press("x")
            await pilot.pause()
            await pilot.press("tab", "enter")
            await until(pilot, lambda: _status(demo, int(queued)) == "cancelled", what="cancel")

    asyncio.run(main())


def test_marked_rows_are_retried_together(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "2")
            targets = [k for k in view.table.keys
                       if view.rows[k]["status"] in ("dead", "failed") and view.rows[k]["agent"] != "apply"][:2]
            for k in targets:
                view.table.move_to_key(k)
                await pilot.press("space")
            assert view.marked == {int(k) for k in targets}
            assert "2 marked" in screen_text(app)
            await pilot.press("r")
            await until(pilot, lambda: all(_status(demo, int(k)) == "queued" for k in targets), what="retry")
            assert not view.marked

    asyncio.run(main())


def test_bulk_retry_shows_the_count_then_retries_everything_the_filter_matches(settings, demo):
    for i in range(30):
        t, _ = queue.enqueue(demo, NewTask("ping", {"n": i}, key=f"bulk:{i}"))
    claimed = queue.claim(demo, ["ping"], 100, "r-test", 60)
    for t in claimed:
        queue.fail(demo, t, "boom", retry=False)
    dead_pings = {r["id"] for r in demo.execute("SELECT id FROM tasks WHERE agent = 'ping' AND status = 'dead'")}
    assert len(dead_pings) >= 30

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "2")
            view.apply_filter_text("agent:ping status:dead")
            await until(pilot, lambda: not view._loading and all(view.rows[k]["agent"] == "ping" for k in view.table.keys))
            await pilot.press("R")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirmation")
            assert f"Retry {len(dead_pings)} task(s)?" in screen_text(app)
            await pilot.press("tab", "enter")
            await until(pilot, lambda: not demo.execute("SELECT 1 FROM tasks WHERE agent = 'ping' AND status = 'dead'"),
                        what="bulk retry")
            other_dead = demo.execute("SELECT count(*) AS n FROM tasks WHERE status = 'dead'")[0]["n"]
            assert other_dead > 0  # only what the filter matched

    asyncio.run(main())


def test_cursor_stays_on_the_same_task_when_new_tasks_arrive(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "2")
            key = view.table.keys[5]
            view.table.move_to_key(key)
            queue.enqueue_many(demo, [NewTask("ping", {"i": i}) for i in range(7)])
            await refreshed(pilot)
            assert view.table.keys[12] == key
            assert view.table.cursor_key == key

    asyncio.run(main())


def test_paging_moves_a_window_through_many_tasks(settings, demo):
    queue.enqueue_many(demo, [NewTask("ping", {"i": i}) for i in range(450)])

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "2")
            assert len(view.table.keys) == 200 and view.window.has_older
            first = int(view.table.keys[0])
            n = view.loads
            await pilot.press("right_square_bracket")
            await until(pilot, lambda: view.loads > n and not view._loading)
            assert int(view.table.keys[0]) == first - 200
            await until(pilot, lambda: view.total == 511)
            n = view.loads
            await pilot.press("left_square_bracket")
            await until(pilot, lambda: view.loads > n and not view._loading)
            assert int(view.table.keys[0]) == first

    asyncio.run(main())


def test_readonly_hides_and_refuses_changes(settings, demo):
    async def main():
        app = make_app(settings, demo, readonly=True)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "2")
            dead = [k for k in view.table.keys if view.rows[k]["status"] == "dead" and view.rows[k]["agent"] != "apply"][0]
            view.table.move_to_key(dead)
            await pilot.press("r", "x", "R")
            await pilot.pause()
            await settle(app)
            assert _status(demo, int(dead)) == "dead"
            assert "Retry" not in screen_text(app).splitlines()[-1]
            assert "READ-ONLY" in screen_text(app)

    asyncio.run(main())
