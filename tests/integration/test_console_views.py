"""Every view against the demo data set in a real Postgres, and the conventions that join them:
number keys and ``:name`` open views, ``?`` lists the keys valid here, ``ctrl+p`` the palette, keys remap."""

from __future__ import annotations

import asyncio

from psycopg.types.json import Jsonb

from core import queue
from tests.support.console_support import (
    make_app,
    open_view,
    refreshed,
    screen_text,
    settle,
    type_text,
    until,
)
from tui.widgets.halfblock import HalfBlockImage


def test_overview_shows_depth_per_agent_runners_and_pauses(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(160, 48)) as pilot:
            await open_view(pilot, "1")
            text = screen_text(app)
            assert "waiting 14 · running 2 · human 3" in text
            assert "apply-1.talvix:5210" in text and "paused sites: jobs.lever.co" in text
            assert "PAUSED" in text  # notify is paused in the demo

    asyncio.run(main())


def test_pause_and_resume_an_agent_from_the_overview(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(160, 48)) as pilot:
            view = await open_view(pilot, "1")
            agents = view.query_one("#agents")
            agents.move_to_key("score")
            await pilot.press("p")
            await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen", what="the reason asked")
            await type_text(pilot, "maintenance")
            await pilot.press("enter")
            await until(pilot, lambda: queue.agent_controls(demo).get("score", {}).get("paused") is True)
            await settle(app)
            await pilot.pause()
            await pilot.press("p")
            await until(pilot, lambda: queue.agent_controls(demo)["score"]["paused"] is False)
            actions = [r["action"] for r in demo.execute("SELECT action FROM operator_actions ORDER BY id")]
            assert actions[-2:] == ["pause", "resume"]

    asyncio.run(main())


def test_sessions_show_the_latest_screenshot_in_half_blocks(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "3")
            assert view.table.keys == ["2", "1"]
            shot = view.query_one("#shot", HalfBlockImage)
            await until(pilot, lambda: shot.path is not None)
            assert shot.path.name == "02-filled.png"
            assert "▀" in screen_text(app)
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "ScreenshotScreen")
            assert "2/2 02-filled.png" in screen_text(app)
            await pilot.press("left")
            assert "1/2 01-loaded.png" in screen_text(app)
            await pilot.press("c")
            assert app.clipboard.endswith("screenshots/6/01-loaded.png")

    asyncio.run(main())


def test_save_a_screenshot_as_a_file(settings, demo, tmp_path):
    dest = tmp_path / "saved.png"

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_view(pilot, "3")
            await pilot.press("s")
            await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
            await pilot.press("ctrl+u")
            await type_text(pilot, str(dest))
            await pilot.press("enter")
            await until(pilot, lambda: dest.exists(), what="saved file")
            assert dest.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    asyncio.run(main())


def test_logs_tail_filters_and_pauses(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "5")
            total = view.lines
            assert total > 100
            view.apply_filter_text("level:error agent:jd_parse")
            await until(pilot, lambda: not view._loading and view.lines < total)
            lines = view.log_widget.lines
            assert lines and all("ERROR" in ln and "jd_parse" in ln for ln in lines)
            await pilot.press("space")  # pause
            with demo.connection() as conn:
                queue.add_event(conn, "new failure while paused", level="error", agent="jd_parse")
            await refreshed_noload(pilot)
            assert not any("while paused" in ln for ln in view.log_widget.lines)
            await pilot.press("space")  # resume: catches up
            await until(pilot, lambda: any("while paused" in ln for ln in view.log_widget.lines))

    asyncio.run(main())


async def refreshed_noload(pilot):
    pilot.app.refresh_now()
    await settle(pilot.app)
    await pilot.pause()


def test_jobs_candidates_and_their_details(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            jobs = await open_view(pilot, "6")
            assert len(jobs.table.keys) == 10
            jobs.apply_filter_text("company:orbital status:open")
            await until(pilot, lambda: not jobs._loading and len(jobs.table.keys) == 2)
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "TextScreen")
            assert "Orbital Labs" in screen_text(app)
            await pilot.press("escape")
            cands = await open_view(pilot, "7")
            assert len(cands.table.keys) == 5
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "TextScreen")
            text = screen_text(app)
            assert "Priya Nair" in text and "@example.com" not in text  # personal data stays encrypted

    asyncio.run(main())


def test_task_detail_shows_error_payload_events(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 60)) as pilot:
            view = await open_view(pilot, "2")
            view.table.move_to_key("45")
            await pilot.press("enter")
            detail = app.screen
            await until(pilot, lambda: detail.loads > 0)
            text = screen_text(app)
            assert "page did not finish loading" in text and "application_id" in text
            assert "running, attempt 1 of 5" in text and "Kavya" not in text

    asyncio.run(main())


def test_runners_start_pause_and_stop_in_process(settings, demo):
    async def main():
        app = make_app(settings, demo, runner_agents=["ping"])
        async with app.run_test(size=(160, 48)) as pilot:
            view = await open_view(pilot, "8")
            await pilot.press("n")
            await until(pilot, lambda: app.local_runners, what="runner started")
            rid = next(iter(app.local_runners))
            await until(pilot, lambda: not demo.execute("SELECT 1 FROM tasks WHERE agent='ping' AND status='queued'"),
                        what="ping tasks run by the console's runner")
            await refreshed(pilot)
            assert rid in view.table.keys
            view.table.move_to_key(rid)
            await pilot.press("p")
            await until(pilot, lambda: app.local_runners[rid].paused)
            await pilot.press("x")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
            await pilot.press("tab", "enter")
            await until(pilot, lambda: demo.one("SELECT status FROM runners WHERE id = %s", (rid,))["status"] == "gone")
            # The runner row turns "gone" inside stop(); the audit row is written right after it returns.
            await until(pilot, lambda: demo.execute("SELECT 1 FROM operator_actions WHERE action = 'runner.stop'"),
                        what="runner.stop audited")
            acts = [r["action"] for r in demo.execute(
                "SELECT action FROM operator_actions WHERE action LIKE 'runner.%' ORDER BY id")]
            assert acts == ["runner.start", "runner.pause", "runner.stop"]

    asyncio.run(main())


def test_audit_view_lists_operator_actions(settings, demo):
    queue.retry(demo, [57], who="ops@host-a")

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "9")
            assert "ops@host-a" in screen_text(app)
            view.apply_filter_text("who:ops")
            await until(pilot, lambda: not view._loading and len(view.table.keys) == 1)

    asyncio.run(main())


def test_colon_command_opens_a_view_with_a_filter(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_view(pilot, "1")
            await pilot.press("colon")
            await type_text(pilot, "queue failed")
            await pilot.press("enter")
            await until(pilot, lambda: app.current_mode == "queue")
            view = app.screen
            await until(pilot, lambda: view.loads > 0 and not view._loading and view.filter)
            assert {view.rows[k]["status"] for k in view.table.keys} == {"failed"}
            assert view.filter.text == "failed"
            await pilot.press("escape", "escape")  # clear the filter, then back to the overview
            await until(pilot, lambda: app.current_mode == "overview")

    asyncio.run(main())


def test_help_lists_only_the_keys_valid_here(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_view(pilot, "2")
            await pilot.press("question_mark")
            text = screen_text(app)
            assert "Retry all" in text and "bulk_retry" in text and "Approve" not in text
            await pilot.press("escape")
            await open_view(pilot, "4")
            await pilot.press("question_mark")
            text = screen_text(app)
            assert "Approve" in text and "Retry all" not in text

    asyncio.run(main())


def test_keys_are_remapped_from_settings(settings, demo):
    remapped = settings.model_copy(update={"console": settings.console.model_copy(update={"keys": {"retry": "t"}})})

    async def main():
        app = make_app(remapped, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "2")
            view.table.move_to_key("57")
            queue.cancel(demo, [57], who="x")
            await pilot.press("r")
            await pilot.pause()
            await settle(app)
            assert queue.get_task(demo, 57).status == "cancelled"
            await pilot.press("t")  # a cancelled task: confirmed first
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirmation")
            await pilot.press("tab", "enter")
            await until(pilot, lambda: queue.get_task(demo, 57).status == "queued")

    asyncio.run(main())


def test_command_palette_offers_views_and_this_screens_actions(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_view(pilot, "2")
            await pilot.press("ctrl+p")
            await until(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
            await type_text(pilot, "open approvals")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await until(pilot, lambda: app.current_mode == "approvals")

    asyncio.run(main())


def test_candidate_detail_names_the_fields_to_confirm_before_applying(settings, demo):
    cid = demo.value("SELECT min(id) FROM candidates")
    demo.execute("""UPDATE candidates SET profile = profile || '{"to_confirm": ["phone", "location"],
                    "confidence": {"phone": 0.6, "location": 0.5}}'::jsonb WHERE id = %s""", (cid,))

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            cands = await open_view(pilot, "7")
            cands.table.move_to_key(str(cid))
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "TextScreen")
            text = screen_text(app)
            assert "to confirm before applying" in text
            assert "phone  (confidence 0.60)" in text and "location  (confidence 0.50)" in text

    asyncio.run(main())


def test_task_detail_masks_sealed_personal_values(settings, demo):
    from core.crypto import load_cipher, seal

    sealed = seal(load_cipher(settings), "+919876543210")
    tid = demo.value("SELECT max(id) FROM tasks")
    demo.execute("UPDATE tasks SET result = %s WHERE id = %s",
                 (Jsonb({"answer_sheet": {"fields": [{"label": "Phone", "value": sealed}]}}), tid))

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 60)) as pilot:
            view = await open_view(pilot, "2")
            view.table.move_to_key(str(tid))
            await pilot.press("enter")
            detail = app.screen
            await until(pilot, lambda: detail.loads > 0)
            text = screen_text(app)
            assert "Phone" in text and "•••" in text
            assert "$enc" not in text and sealed["$enc"][:12] not in text and "9876543210" not in text

    asyncio.run(main())


def test_the_overview_shows_a_failure_rate_sparkline_per_agent_with_an_axis(settings, demo):
    from datetime import timedelta

    from tests.support.console_support import FROZEN
    from tui.screens.overview import BARS

    # probe: 4 tasks ended a minute ago (2 dead, 2 succeeded: 50%), 1 succeeded 20 minutes ago (0%).
    for status, ago in (("dead", 30), ("dead", 30), ("succeeded", 30), ("succeeded", 40), ("succeeded", 1200)):
        demo.execute("INSERT INTO tasks (agent, status, finished_at) VALUES ('probe', %s, %s)",
                     (status, FROZEN - timedelta(seconds=ago)))

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "1")
            table = view.query_one("#agents")
            cell = table._cells["probe"][-1].plain
            assert cell.endswith(" 50%")  # the peak rate
            bars = cell[:-5]
            assert bars[-1] == BARS[4] and BARS[0] in bars  # 50% now, 0% earlier, blank when nothing ended
            assert " " in bars.strip() or bars.startswith(" ")
            text = screen_text(app)
            assert "fail% 30m" in text  # the column
            axis = next(line for line in text.splitlines() if "-30m" in line)
            assert "now" in axis and "max " in axis and "/min" in axis and "0-100%" in axis
            assert "probe" in text and cell in text
        app = make_app(settings, demo)
        async with app.run_test(size=(80, 24)) as pilot:  # every column still on screen at 80
            view = await open_view(pilot, "1")
            table = view.query_one("#agents")
            assert table.virtual_size.width <= table.size.width

    asyncio.run(main())


def test_the_notifications_view_shows_the_outbox_and_replies_literally_and_settles_an_unknown_one(settings, demo):
    from core.crypto import load_cipher

    cipher = load_cipher(settings)
    cand = demo.one("SELECT id FROM candidates ORDER BY id LIMIT 1")["id"]
    hostile = "[bold red]HACKED[/] \x1b[2J\x1b]52;c;ZXZpbA==\x07 quota"
    rows = [("k-sent", "sent", "whatsapp", "application_submitted", "waha", "wamid.HBgM123", None),
            ("k-failed", "failed", "whatsapp", "needs_answer", "cloud", None, "131047: " + hostile),
            ("k-unknown", "unknown", "email", "interview_invitation", "smtp", None,
             "left sending by a task that stopped for good: check whether it arrived")]
    ids = {}
    for key, st, channel, template, provider, ref, error in rows:
        ids[key] = demo.one("""INSERT INTO notifications (idempotency_key, candidate_id, channel, template, status,
                                                          provider, provider_ref, error, attempts)
                               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 1) RETURNING id""",
                            (key, cand, channel, template, st, provider, ref, error))["id"]
    reply = "[link=http://evil]yes[/link] \x1b[31mSTOP\x1b[0m please"
    demo.execute("""INSERT INTO inbound_messages (provider, provider_msg_id, from_hash, body_enc, candidate_id,
                                                  notification_id, kind, outcome)
                    VALUES ('waha', 'm-1', '\\x00'::bytea, %s, %s, %s, 'unrecognised', 'sent to the operator')""",
                 (cipher.encrypt(reply, context=b"inbound"), cand, ids["k-failed"]))

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(160, 40)) as pilot:
            view = await open_view(pilot, "ctrl+n")
            assert type(view).__name__ == "NotificationsView"
            text = screen_text(app)
            for expected in ("wamid.HBgM123", "application_submitted", "needs_answer", "failed 1", "unknown 1",
                             "sent 1", "1 reply"):
                assert expected in text, expected
            view.out_table.move_to_key(str(ids["k-failed"]))
            await pilot.pause()
            strip = view.query_one("#notify-strip").render()
            assert "[bold red]HACKED[/]" in strip.plain and "131047" in strip.plain  # literally
            assert "provider cloud" in strip.plain
            assert "\x1b" not in strip.plain and "\x07" not in strip.plain
            assert "[bold red]HACKED[/]" in screen_text(app)
            view.reply_table.focus()
            await pilot.pause()
            strip = view.query_one("#notify-strip").render()
            assert "[link=http://evil]yes[/link]" in strip.plain and "STOP" in strip.plain
            assert "\x1b" not in strip.plain
            svg = app.export_screenshot()
            assert "HACKED" in svg and "evil" in svg and "\x1b" not in svg
            # s on a sent row: nothing to settle; on the unknown one: confirm (Cancel focused), then audited.
            view.out_table.focus()
            view.out_table.move_to_key(str(ids["k-sent"]))
            await pilot.press("s")
            await pilot.pause()
            assert type(app.screen).__name__ == "NotificationsView"
            view.out_table.move_to_key(str(ids["k-unknown"]))
            await pilot.press("f")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="the confirmation")
            await pilot.press("enter")  # Cancel
            await settle(app)
            assert demo.one("SELECT status FROM notifications WHERE id = %s", (ids["k-unknown"],))["status"] == "unknown"
            await pilot.press("f")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="the confirmation")
            await pilot.press("tab", "enter")
            await until(pilot, lambda: demo.one("SELECT status FROM notifications WHERE id = %s",
                                                (ids["k-unknown"],))["status"] == "failed", what="settled")
            assert demo.one("SELECT action, actor FROM operator_actions ORDER BY id DESC LIMIT 1") == {
                "action": "notification_resolve", "actor": "tester@console"}
            # r on the failed row: confirm, then it is pending again with a new send task (and audited).
            view.out_table.move_to_key(str(ids["k-failed"]))
            await pilot.press("r")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="the retry confirmation")
            await pilot.press("tab", "enter")
            await until(pilot, lambda: demo.one("SELECT status FROM notifications WHERE id = %s",
                                                (ids["k-failed"],))["status"] == "pending", what="queued again")
            row = demo.one("""SELECT t.agent, t.payload FROM notifications n JOIN tasks t ON t.id = n.task_id
                               WHERE n.id = %s""", (ids["k-failed"],))
            assert row == {"agent": "notify", "payload": {"notification_id": ids["k-failed"]}}
            assert demo.one("SELECT action FROM operator_actions ORDER BY id DESC LIMIT 1")["action"] == \
                "notification_retry"
        app = make_app(settings, demo)
        async with app.run_test(size=(80, 24)) as pilot:  # every column on screen at 80x24
            view = await open_view(pilot, "ctrl+n")
            for table in (view.out_table, view.reply_table):
                assert table.virtual_size.width <= table.size.width

    asyncio.run(main())
