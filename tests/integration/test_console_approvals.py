"""Approvals against a real Postgres: approve, edit an answer then approve, reject with a reason, and
record what the employer's site shows for an application whose submission is unknown."""

from __future__ import annotations

import asyncio

from core import queue
from tests.support.console_support import (
    make_app,
    open_view,
    screen_text,
    settle,
    type_text,
    until,
)


def _waiting(db):
    return {r["key"]: r for r in db.execute(
        "SELECT 'task:' || id AS key, id, status FROM tasks WHERE status IN ('awaiting_approval', 'needs_human')")}


def test_approvals_lists_tasks_waiting_for_a_person_and_unknown_outcomes(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(160, 48)) as pilot:
            view = await open_view(pilot, "4")
            assert set(view.table.keys) == set(_waiting(demo)) | {"app:5"}
            await settle(app)
            await pilot.pause()
            text = screen_text(app)
            assert "answer sheet" in text and "Notice period" in text

    asyncio.run(main())


def test_approve_requeues_the_task_with_the_approval(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(160, 48)) as pilot:
            view = await open_view(pilot, "4")
            view.table.move_to_key("task:40")
            await pilot.press("a")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
            await pilot.press("tab", "enter")
            await until(pilot, lambda: queue.get_task(demo, 40).status == "queued", what="approve")
            approval = queue.get_task(demo, 40).payload["approval"]
            assert approval["by"] == "tester@console" and approval["edits"] == {}

    asyncio.run(main())


def test_edit_an_answer_then_approve_sends_the_edit(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(160, 48)) as pilot:
            view = await open_view(pilot, "4")
            view.table.move_to_key("task:41")
            await pilot.press("enter")
            detail = app.screen
            await until(pilot, lambda: detail.loads > 0)
            fields = detail.query_one("#fields")
            assert fields.move_to_key("notice_period")
            await pilot.press("e")
            await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
            await pilot.press("ctrl+u")
            await type_text(pilot, "60 days")
            await pilot.press("enter")
            await until(pilot, lambda: detail.edits == {"notice_period": "60 days"})
            assert "60 days" in screen_text(app) and "operator edit" in screen_text(app)
            await pilot.press("a")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
            await until(pilot, lambda: "Notice period: 30 days -> 60 days" in screen_text(app), what="old -> new")
            await pilot.press("tab", "enter")
            await until(pilot, lambda: queue.get_task(demo, 41).status == "queued", what="approve")
            assert queue.get_task(demo, 41).payload["approval"]["edits"] == {"notice_period": "60 days"}
            audit = demo.execute("SELECT details FROM operator_actions WHERE action = 'approve' ORDER BY id DESC LIMIT 1")
            assert audit[0]["details"] == {"edits": {"notice_period": "60 days"}}

    asyncio.run(main())


def test_reject_needs_a_reason_and_withdraws_the_application(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(160, 48)) as pilot:
            view = await open_view(pilot, "4")
            view.table.move_to_key("task:42")
            await pilot.press("r")
            await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
            await pilot.press("enter")  # empty: refused, the prompt stays
            await pilot.pause()
            assert type(app.screen).__name__ == "PromptScreen"
            await type_text(pilot, "no US visa")
            await pilot.press("enter")
            await until(pilot, lambda: queue.get_task(demo, 42).status == "cancelled", what="reject")
            task = queue.get_task(demo, 42)
            assert "no US visa" in task.last_error
            app_row = demo.one("SELECT status, reason FROM applications WHERE id = %s", (task.application_id,))
            assert app_row["status"] == "withdrawn" and "no US visa" in app_row["reason"]

    asyncio.run(main())


def test_unknown_outcome_is_resolved_after_checking_the_site(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(160, 48)) as pilot:
            view = await open_view(pilot, "4")
            view.table.move_to_key("app:5")
            await pilot.press("s")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
            await pilot.press("tab", "enter")
            await until(pilot, lambda: demo.one("SELECT status FROM applications WHERE id = 5")["status"] == "submitted")
            await until(pilot, lambda: "app:5" not in view.table.keys, what="row gone")
            assert demo.one("SELECT action FROM operator_actions ORDER BY id DESC LIMIT 1")["action"] == "resolve_submitted"

    asyncio.run(main())
