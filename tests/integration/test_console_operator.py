"""The console as an operator who lives in k9s and lazygit uses it, at 80x24 and up (Pilot, real Postgres):
what is typed shows, what waits for a person reads in full, guardrails before risky actions."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.console_support import make_app, open_view, screen_text, settle, type_text, until


def _bottom(app, rows: int = 3) -> str:
    return "\n".join(screen_text(app).splitlines()[-rows:])


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_typing_into_the_command_line_and_the_filter_shows_the_text_and_the_placeholder(settings, demo, size):
    async def main():
        app = make_app(settings, demo, start_view="queue")
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: app.screen.loads > 0)
            await pilot.press("colon")
            await pilot.pause()
            assert "command: queue status:failed" in _bottom(app)
            await type_text(pilot, "app")
            await pilot.pause()
            assert "app" in _bottom(app) and "command:" not in _bottom(app)
            await pilot.press("escape", "slash")
            await pilot.pause()
            assert "filter: agent:apply" in _bottom(app)
            await type_text(pilot, "status:fai")
            await until(pilot, lambda: "status:failed" in _bottom(app), what="completion shown")
            await pilot.press("tab")
            await type_text(pilot, " err:boom")
            await pilot.pause()
            assert "status:failed err:boom" in _bottom(app)
            await pilot.press("enter")
            await settle(app)
            assert app.screen.filter.text == "status:failed err:boom"
            await pilot.press("slash")
            await pilot.press("ctrl+u")  # clear, then walk the history back
            await pilot.press("up")
            await pilot.pause()
            assert "status:failed err:boom" in _bottom(app)

    asyncio.run(main())


def _pipeline_like_approval(db):
    """Make the demo's task 40 look like a real pipeline apply task: the uploaded files by name only, the
    tailored documents on the application, a required question left blank."""
    from psycopg.types.json import Jsonb

    t = db.one("SELECT result, application_id FROM tasks WHERE id = 40")
    result = dict(t["result"] or {})
    result["documents"] = {"resume": {"name": "resume.pdf"}, "cover_letter": None}
    db.execute("UPDATE tasks SET result = %s WHERE id = 40", (Jsonb(result),))
    db.execute("UPDATE applications SET documents = %s WHERE id = %s",
               (Jsonb({"resume_pdf": {"path": f"tailored/{t['application_id']}/resume.pdf", "sha256": "0" * 64},
                       "cover_letter_pdf": {"path": f"tailored/{t['application_id']}/cover_letter.pdf",
                                            "sha256": "1" * 64}}), t["application_id"]))
    return t["application_id"]


def test_the_approval_preview_names_candidate_job_company_in_full_and_the_documents_made(settings, demo):
    app_id = _pipeline_like_approval(demo)
    row = demo.one("""SELECT c.full_name, j.title, j.company FROM applications a JOIN candidates c ON c.id = a.candidate_id
                      JOIN jobs j ON j.id = a.job_id WHERE a.id = %s""", (app_id,))

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(80, 24)) as pilot:
            view = await open_view(pilot, "4")
            view.table.move_to_key("task:40")
            await settle(app)
            await pilot.pause()
            text = screen_text(app)
            assert "None" not in text
            assert f"tailored/{app_id}/resume.pdf" in text and f"tailored/{app_id}/cover_letter.pdf" in text
            for value in row.values():
                assert value in text

    asyncio.run(main())


def test_the_answer_sheet_fits_80_columns_and_the_strip_shows_the_selected_answer_in_full(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(80, 24)) as pilot:
            view = await open_view(pilot, "4")
            view.table.move_to_key("task:41")
            await pilot.press("enter")
            await until(pilot, lambda: getattr(app.screen, "loads", 0) > 0, what="answer sheet")
            await settle(app)
            await pilot.pause()
            text = screen_text(app)
            header = next(line for line in text.splitlines() if "question" in line and "value" in line)
            assert "conf" in header and "req" in header  # no sideways scrolling needed at 80 columns
            table = app.screen.query_one("#fields")
            assert table.virtual_size.width <= table.size.width
            key = next(k for k in table.keys if "q_custom" in k)  # the long, required, blank question
            table.move_to_key(key)
            await pilot.pause()
            strip = str(app.screen.query_one("#field-strip").render())
            field = next(f for f in app.screen.detail["fields"] if f["name"] == key)
            assert field["label"] in strip and "(required, blank)" in strip and "required" in strip
            assert "confidence 0.20" in strip

    asyncio.run(main())


def test_approving_shows_question_text_old_and_new_values_and_warns_of_blanks_and_a_paused_site(settings, demo):
    from core.apply_engine import sites

    site = demo.one("SELECT j.site FROM tasks t JOIN applications a ON a.id = t.application_id "
                    "JOIN jobs j ON j.id = a.job_id WHERE t.id = 41")["site"]
    demo.execute("INSERT INTO sites (site, paused, pause_reason) VALUES (%s, true, 'captcha seen') "
                 "ON CONFLICT (site) DO UPDATE SET paused = true, pause_reason = 'captcha seen', paused_until = NULL",
                 (site,))
    assert sites.paused(demo, site)

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_view(pilot, "4")
            view.table.move_to_key("task:41")
            await pilot.press("enter")
            await until(pilot, lambda: getattr(app.screen, "loads", 0) > 0, what="answer sheet")
            await settle(app)
            table = app.screen.query_one("#fields")
            table.move_to_key("notice_period")
            await pilot.press("e")
            await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
            await pilot.press("ctrl+u")
            await type_text(pilot, "60 days")
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("a")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirm")
            await pilot.pause()
            text = app.screen._title + "\n" + app.screen._body.plain  # the dialog's text (wrapped on screen)
            assert "Orbital Labs" in screen_text(app) and "Cancel" in screen_text(app)
            assert "Notice period: 30 days -> 60 days" in text
            assert "notice_period" not in text
            assert "required answer is blank: Why do you want to work at Orbital Labs?" in text
            assert f"site {site} is paused: captcha seen" in text
            await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "cancel", what="Cancel focused")
            await pilot.press("enter")  # Cancel: nothing approved
            await settle(app)
            assert demo.one("SELECT status FROM tasks WHERE id = 41")["status"] != "queued"

    asyncio.run(main())


def test_read_only_says_so_when_an_action_key_is_pressed(settings, demo):
    async def main():
        app = make_app(settings, demo, readonly=True, start_view="queue")
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.screen.loads > 0)
            await pilot.press("r")
            await pilot.pause()
            notes = [n.message for n in app._notifications]
            assert any("read-only" in m and "Retry" in m for m in notes), notes

    asyncio.run(main())


def _status(db, tid):
    return db.one("SELECT status FROM tasks WHERE id = %s", (tid,))["status"]


def test_retrying_an_apply_task_or_a_rejected_one_asks_first_with_cancel_focused(settings, demo):
    from core import queue
    from core.models import NewTask

    apply_dead = demo.one("SELECT id FROM tasks WHERE agent = 'apply' AND status IN ('dead', 'failed') ORDER BY id")["id"]
    ping = queue.enqueue(demo, NewTask("ping", {"n": 1}))[0].id
    queue.cancel(demo, [ping], who="someone", reason="stopped on purpose")

    async def main():
        app = make_app(settings, demo, start_view="queue")
        async with app.run_test(size=(80, 24)) as pilot:
            view = await until(pilot, lambda: app.screen.loads > 0 and app.screen)
            await settle(app)
            for tid, shown in ((apply_dead, "may submit an application"), (ping, "stopped on purpose")):
                view.table.move_to_key(str(tid))
                await pilot.press("r")
                await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirmation")
                assert shown in app.screen._body.plain
                await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "cancel", what="Cancel focused")
                await pilot.press("enter")  # Cancel
                await settle(app)
                assert _status(demo, tid) in ("dead", "failed", "cancelled")
                await pilot.press("r")
                await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirmation")
                await pilot.press("tab", "enter")
                await until(pilot, lambda tid=tid: _status(demo, tid) == "queued", what="retry after confirming")

    asyncio.run(main())


def test_bulk_retry_breaks_the_count_down_by_state_and_agent_and_leaves_cancelled_out(settings, demo):
    from core import queue
    from core.models import NewTask

    ids = [queue.enqueue(demo, NewTask("ping", {"n": i}))[0].id for i in range(5)]
    for t in queue.claim(demo, ["ping"], 3, "r-test", 60):
        queue.fail(demo, t, "boom", retry=False)
    queue.cancel(demo, ids[3:], who="someone")
    expected = demo.execute("""SELECT status, agent, count(*) AS n FROM tasks
                                WHERE status IN ('failed', 'dead', 'needs_human') GROUP BY 1, 2""")
    cancelled = demo.one("SELECT count(*) AS n FROM tasks WHERE status = 'cancelled'")["n"]
    total = sum(r["n"] for r in expected)

    async def main():
        app = make_app(settings, demo, start_view="queue")
        async with app.run_test(size=(100, 40)) as pilot:
            await until(pilot, lambda: app.screen.loads > 0)
            await settle(app)
            await pilot.press("R")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirmation")
            body = app.screen._body.plain
            assert app.screen._title == f"Retry {total} task(s)?"
            for r in expected:
                assert any(line.split() == [str(r["n"]), r["status"], r["agent"]] for line in body.splitlines()), body
            assert f"{cancelled} cancelled task(s) left out" in body
            await pilot.press("escape")
            await pilot.pause()
            app.screen.apply_filter_text("status:cancelled agent:ping")
            await settle(app)
            await pilot.press("R")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirmation")
            assert app.screen._title == "Retry 2 task(s)?"

    asyncio.run(main())


def test_pausing_an_agent_asks_for_a_reason(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.screen.loads > 0)
            await settle(app)
            table = app.screen.query_one("#agents")
            table.move_to_key("score")
            await pilot.press("p")
            await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen", what="reason asked")
            await pilot.press("enter")  # a reason is required: nothing happens
            await pilot.pause()
            assert type(app.screen).__name__ == "PromptScreen"
            await type_text(pilot, "site maintenance")
            await pilot.press("enter")
            await until(pilot, lambda: demo.one("SELECT paused, reason FROM agent_controls WHERE agent = 'score'"),
                        what="paused")
            row = demo.one("SELECT paused, reason FROM agent_controls WHERE agent = 'score'")
            assert row["paused"] and row["reason"] == "site maintenance"

    asyncio.run(main())


def test_the_count_never_shows_more_rows_than_the_total(settings, demo):
    from core import queue
    from core.models import NewTask
    from tests.support.console_support import refreshed

    async def main():
        app = make_app(settings, demo, start_view="queue")
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.screen.loads > 0)
            await settle(app)
            n = demo.one("SELECT count(*) AS n FROM tasks")["n"]
            assert f"{n} shown of {n} tasks" in screen_text(app)
            for i in range(2):
                queue.enqueue(demo, NewTask("ping", {"late": i}))
            await refreshed(pilot)  # the page is fetched before the count is taken again
            assert f"{n + 2} shown of {n + 2} tasks" in screen_text(app)

    asyncio.run(main())


def test_help_is_grouped_by_purpose_without_the_table_internals_and_runs_a_key(settings, demo):
    async def main():
        app = make_app(settings, demo, start_view="queue")
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.screen.loads > 0)
            await settle(app)
            await pilot.press("question_mark")
            await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
            await pilot.pause()
            table = app.screen.query_one("#help-table")
            keys = [k.value for k in table.rows]
            groups = [k for k in keys if k.startswith("-")]
            assert groups == ["-Act", "-Look", "-Move", "-Views"]
            assert "bulk_retry" in keys and "cursor.top" in keys and "view.logs" in keys
            text = screen_text(app)
            assert "Page Down" not in text and "pagedown" not in text.lower()  # DataTable's own bindings
            await pilot.press("j", "j", "k")
            assert table.cursor_row == 1
            table.move_cursor(row=keys.index("view.logs"))
            await pilot.press("enter")
            await until(pilot, lambda: app.current_mode == "logs", what="the key run from help")

    asyncio.run(main())


def test_gg_and_G_go_to_the_top_and_bottom_and_S_sorts_by_column(settings, demo):
    async def main():
        app = make_app(settings, demo, start_view="queue")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await until(pilot, lambda: app.screen.loads > 0 and app.screen)
            await settle(app)
            table = view.table
            await pilot.press("G")
            assert table.cursor_row == table.row_count - 1
            await pilot.press("g", "g")
            await settle(app)
            assert table.cursor_row == 0
            await pilot.press("S", "S", "S")  # mark column skipped: id, agent, status
            await settle(app)
            await pilot.pause()
            assert table.sort_col == "status"
            shown = [view.rows[k]["status"] for k in table.keys]
            assert shown == sorted(shown)
            assert "sorted by status asc (all)" in screen_text(app)
            await pilot.press("I")
            await settle(app)
            await pilot.pause()
            assert [view.rows[k]["status"] for k in table.keys] == sorted(shown, reverse=True)

    asyncio.run(main())


def test_y_yanks_the_task_id_with_osc52(settings, demo):
    async def main():
        app = make_app(settings, demo, start_view="queue")
        copied = []
        app.copy_to_clipboard = copied.append  # what would go out as OSC 52
        async with app.run_test(size=(80, 24)) as pilot:
            view = await until(pilot, lambda: app.screen.loads > 0 and app.screen)
            await settle(app)
            view.table.move_to_key("45")
            await pilot.press("y")
            assert copied == ["45"]
            await pilot.press("enter")
            await until(pilot, lambda: getattr(app.screen, "detail", None), what="task detail")
            await pilot.press("y")
            assert copied[-1] == demo.one("SELECT last_error FROM tasks WHERE id = 45")["last_error"]

    asyncio.run(main())


def test_logs_are_coloured_by_level_scroll_with_j_k_and_wrap(settings, demo):
    from rich.text import Text

    from tui.screens.logs import LevelHighlighter

    async def main():
        app = make_app(settings, demo, start_view="logs")
        async with app.run_test(size=(80, 24)) as pilot:
            view = await until(pilot, lambda: app.screen.loads > 0 and app.screen)
            await settle(app)
            log = view.log_widget
            err = next(line for line in view._raw if line[15:20] == "ERROR")
            t = Text(err)
            LevelHighlighter().highlight(t)
            assert any("red" in str(span.style) for span in t.spans)
            longest = max(len(line) for line in view._raw)
            assert longest > 78
            lines = log.line_count
            await pilot.press("w")
            await pilot.pause()
            assert log.line_count > lines and max(len(line) for line in log.lines) <= 78
            await pilot.press("g")
            await pilot.pause()
            assert log.scroll_y == 0 and not log.auto_scroll and log.cursor == 0
            await pilot.press("j")
            await pilot.pause()
            assert log.cursor == 1 and log.scroll_y == 0  # the cursor moves; the view follows it
            for _ in range(log.size.height):
                await pilot.press("j")
            await pilot.pause()
            assert log.scroll_y > 0 and log.scroll_y <= log.cursor < log.scroll_y + log.size.height
            await pilot.press("G")
            await pilot.pause()
            assert log.auto_scroll and log.scroll_y == log.max_scroll_y

    asyncio.run(main())


def test_sessions_honour_the_filter_page_beyond_20_and_a_session_whose_runner_is_gone_is_stale(settings, demo):
    from tests.support.console_support import FROZEN

    app_id = demo.one("SELECT application_id FROM apply_sessions WHERE ended_at IS NULL")["application_id"]
    for _i in range(30):
        demo.execute("""INSERT INTO apply_sessions (application_id, site, step, started_at, ended_at, outcome)
                        VALUES (%s, 'jobs.lever.co', 'confirmation', %s, %s, 'submitted')""",
                     (app_id, FROZEN, FROZEN))
    demo.execute("""INSERT INTO apply_sessions (application_id, runner_id, site, step, started_at)
                    VALUES (%s, 'gone-runner', 'boards.greenhouse.io', 'filling', %s)""", (app_id, FROZEN))
    stale_id = demo.one("SELECT max(id) AS id FROM apply_sessions")["id"]
    total = demo.one("SELECT count(*) AS n FROM apply_sessions")["n"]
    small = settings.model_copy(update={"console": settings.console.model_copy(update={"page_size": 20})})

    async def main():
        app = make_app(small, demo, start_view="sessions")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await until(pilot, lambda: app.screen.loads > 0 and app.screen)
            await settle(app)
            assert view.rows[str(stale_id)]["state"] == "stale"
            live = [k for k, r in view.rows.items() if r["state"] == "live"]
            assert len(live) <= 1
            assert len(view.table.keys) == 20
            await until(pilot, lambda: f"20 shown of {total} sessions" in screen_text(app), what="the total")
            await pilot.press("right_square_bracket")
            await until(pilot, lambda: view.before_id is not None and not view._loading and view.loads > 1)
            await settle(app)
            assert len(view.table.keys) == total - 20
            await pilot.press("slash")
            await type_text(pilot, "state:stale")
            await pilot.press("enter")
            await until(pilot, lambda: view.table.keys == [str(stale_id)], what="filtered rows")
            assert "/state:stale" in screen_text(app).splitlines()[0]
            assert "stale" in screen_text(app)

    asyncio.run(main())


def test_the_overview_makes_what_needs_a_person_stand_out_and_names_alerts(settings, demo):
    from core import queue
    from core.models import NewTask

    queue.enqueue(demo, NewTask("orphan_agent", {}))  # queued work no runner serves
    demo.execute("""INSERT INTO apply_sessions (application_id, runner_id, site, step, started_at)
                    SELECT application_id, 'gone-runner', site, 'filling', started_at FROM apply_sessions LIMIT 1""")

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.screen.loads > 0)
            await settle(app)
            await pilot.pause()
            alerts = str(app.screen.query_one("#alerts").render())
            assert "no runner for:" in alerts and "orphan_agent" in alerts
            assert "1 stale session(s)" in alerts
            assert "paused site(s)" in alerts and "oldest approval waiting" in alerts
            head = app.screen.query_one("#status").render()
            styled = {head.plain[s.start:s.end]: str(s.style) for s in head.spans}
            assert any(k.startswith("human ") and "magenta" in v for k, v in styled.items()), styled
            assert any(k.startswith("dead ") and "red" in v for k, v in styled.items()), styled
            app.screen.query_one("#agents").move_to_key("apply")
            app.screen.query_one("#agents").focus()
            await pilot.press("enter")
            await until(pilot, lambda: app.current_mode == "queue" and app.screen.filter.text == "agent:apply",
                        what="the queue filtered to the agent")
            await until(pilot, lambda: app.screen.loads > 0 and all(
                r["agent"] == "apply" for r in app.screen.rows.values()), what="filtered rows")

    asyncio.run(main())


def test_errors_are_grouped_by_normalised_message_and_a_group_is_retried_after_confirming(settings, demo):
    from core import queue
    from core.models import NewTask

    for i in range(4):
        queue.enqueue(demo, NewTask("ping", {"e": i}, key=f"err:{i}"))
    claimed = [t for t in queue.claim(demo, ["ping"], 100, "r-test", 60) if t.payload.get("e") is not None]
    for t in claimed:
        queue.fail(demo, t, f"timeout after {30 + t.payload['e']}s on 'page {t.id}'", retry=False)
    ids = sorted(t.id for t in claimed)

    async def main():
        app = make_app(settings, demo, start_view="queue")
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.screen.loads > 0)
            await settle(app)
            await pilot.press("E")
            await until(pilot, lambda: type(app.screen).__name__ == "ErrorsScreen" and app.screen.loads > 0)
            await settle(app)
            screen = app.screen
            key = "ping\x1ftimeout after Ns on <...>"
            assert screen.groups[key]["n"] == len(ids)
            screen.table.move_to_key(key)
            await pilot.pause()
            assert "ping" in screen_text(app) and "timeout after Ns on <...>" in screen_text(app)
            await pilot.press("r")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirmation")
            await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "cancel", what="Cancel focused")
            assert f"{len(ids)} task(s)" in app.screen._body.plain
            await pilot.press("tab", "enter")
            await until(pilot, lambda: all(_status(demo, i) == "queued" for i in ids), what="group retried")

    asyncio.run(main())


def test_the_audit_log_shows_the_question_and_old_to_new_value_of_an_edit(settings, demo):
    from core import queue

    queue.approve(demo, 41, who="ops@host", edits={"notice_period": "60 days"})

    async def main():
        app = make_app(settings, demo, start_view="audit")
        async with app.run_test(size=(160, 48)) as pilot:
            view = await until(pilot, lambda: app.screen.loads > 0 and app.screen)
            await settle(app)
            text = screen_text(app)
            row = next(line for line in text.splitlines() if "approve" in line and "ops@host" in line)
            assert "Notice period: 30 days -> 60 days" in row and "notice_period" not in row
            key = next(k for k, r in view.rows.items() if r["action"] == "approve" and r["actor"] == "ops@host")
            view.open_detail(key)
            await until(pilot, lambda: type(app.screen).__name__ == "TextScreen")
            await pilot.pause()
            assert "Notice period: 30 days -> 60 days" in screen_text(app)

    asyncio.run(main())


def test_sites_show_pauses_and_budgets_and_a_paused_site_is_resumed_after_confirming(settings, demo):
    paused = demo.one("SELECT site FROM sites WHERE paused")["site"]

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.screen.loads > 0)
            await settle(app)
            await pilot.press("s")
            await until(pilot, lambda: type(app.screen).__name__ == "SitesScreen" and app.screen.loads > 0)
            await settle(app)
            screen = app.screen
            assert screen.sites[paused]["paused"]
            assert "today/cap" in screen_text(app) and "next in" in screen_text(app)
            screen.table.move_to_key(paused)
            await pilot.press("u")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirmation")
            await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "cancel", what="Cancel focused")
            await pilot.press("tab", "enter")
            await until(pilot, lambda: not demo.one("SELECT paused FROM sites WHERE site = %s", (paused,))["paused"],
                        what="site resumed")
            assert demo.one("SELECT action FROM operator_actions ORDER BY id DESC LIMIT 1")["action"] == "resume_site"

    asyncio.run(main())


def test_an_agents_global_cap_is_set_from_the_overview(settings, demo):
    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.screen.loads > 0)
            await settle(app)
            app.screen.query_one("#agents").move_to_key("score")
            await pilot.press("c")
            await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
            await type_text(pilot, "two")
            await pilot.press("enter")
            await pilot.pause()
            assert any("whole number" in n.message for n in app._notifications)
            await pilot.press("c")
            await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
            await type_text(pilot, "2")
            await pilot.press("enter")
            await until(pilot, lambda: (demo.one("SELECT max_concurrency FROM agent_controls WHERE agent = 'score'")
                                        or {}).get("max_concurrency") == 2, what="cap set")

    asyncio.run(main())


def test_a_second_demo_on_an_existing_demo_database_says_so(demo):
    from cli.commands.console import _joined

    assert "existing demo database" in _joined(demo) and "another demo" not in _joined(demo)
    demo.execute("""INSERT INTO runners (id, host, pid, agents, mode, status) VALUES ('c-1', 'h', 1, '{apply}',
                    'console', 'running')""")
    assert "another demo is running (1 console runner(s) live)" in _joined(demo)


def test_a_task_detail_is_searched_with_slash_and_its_retry_of_an_apply_task_asks_first(settings, demo):
    tid = demo.one("SELECT id FROM tasks WHERE agent = 'apply' AND status = 'dead' ORDER BY id")["id"]
    error = demo.one("SELECT last_error FROM tasks WHERE id = %s", (tid,))["last_error"]
    word = error.split()[0]

    async def main():
        app = make_app(settings, demo, start_view="queue")
        async with app.run_test(size=(80, 24)) as pilot:
            view = await until(pilot, lambda: app.screen.loads > 0 and app.screen)
            await settle(app)
            view.table.move_to_key(str(tid))
            await pilot.press("enter")
            await until(pilot, lambda: getattr(app.screen, "detail", None), what="task detail")
            await pilot.press("slash")
            await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
            await type_text(pilot, word)
            await pilot.press("enter")
            await pilot.pause()
            assert "match(es)" in screen_text(app).splitlines()[0]
            assert app.screen._lines  # at least one line holds the word
            await pilot.press("r")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirmation")
            assert "may submit an application" in app.screen._body.plain
            await pilot.press("enter")  # Cancel
            await settle(app)
            assert _status(demo, tid) == "dead"

    asyncio.run(main())


def _said(app) -> list[str]:
    """Every notification the app shows from now on, in order."""
    notes: list[str] = []
    real_notify = app.notify
    app.notify = lambda msg, **kw: (notes.append(msg), real_notify(msg, **kw))
    return notes


async def _first_screenshot(pilot, app):
    """The sessions view (3), session 1, enter: its screenshot screen."""
    view = await open_view(pilot, "3")
    view.table.move_to_key("1")
    await pilot.press("enter")
    await until(pilot, lambda: type(app.screen).__name__ == "ScreenshotScreen")
    return app.screen


def test_a_screenshot_fits_the_width_pans_zooms_and_names_session_candidate_job_step_and_values(settings, demo,
                                                                                              monkeypatch):
    from tui.screens import screenshot as screenshot_screen
    from tui.widgets.halfblock import PannedImage

    # As on a machine without the images extra (the test suite installs it, for the test below).
    monkeypatch.setattr(screenshot_screen, "images_available", lambda: False)

    s = demo.one("""SELECT s.id, s.application_id, c.full_name, j.title, j.company FROM apply_sessions s
                    JOIN applications a ON a.id = s.application_id JOIN candidates c ON c.id = a.candidate_id
                    JOIN jobs j ON j.id = a.job_id WHERE s.id = 1""")
    from psycopg.types.json import Jsonb

    sheet = {"fields": [{"name": "q1", "label": "Notice [b]period[/b]", "value": "30 days", "required": True},
                        {"name": "q2", "label": "Portfolio URL", "value": "", "required": True}]}
    demo.execute("UPDATE applications SET answer_sheet = %s WHERE id = %s", (Jsonb(sheet), s["application_id"]))

    async def main():
        app = make_app(settings, demo)
        notes = _said(app)
        async with app.run_test(size=(80, 24)) as pilot:
            shot = await _first_screenshot(pilot, app)
            await until(pilot, lambda: shot.values is not None, what="the filled values")
            await pilot.pause()
            text = screen_text(app)
            title = " ".join(line.strip() for line in text.splitlines()[1:3])  # up to two lines
            assert f"session {s['id']}" in title and s["full_name"] in title and s["title"] in title
            step = shot.paths[shot.index].stem.split("-", 1)[1]  # 02-filled.png: step filled
            assert f"step {step}" in title
            assert "filled values" in text and len(shot.values) == 2
            assert "Notice [b]period[/b]" in text and "30 days" in text  # literally, beside the image
            assert "Portfolio URL" in text and "(required, blank)" in text
            await _find(pilot, app, "portfolio")  # / searches the filled values too
            assert shot.match_count() == 1 and "/portfolio: 1 match(es)" in screen_text(app).splitlines()[0]
            image = shot.query_one("#image", PannedImage)
            # Fitted to the width of its pane: as tall as the aspect makes it (640x400, two pixels a row).
            assert image.rows == int(400 * image.size.width / 640) // 2
            assert image.rows <= image.size.height  # the whole width shows, nothing to pan at 1x
            await pilot.press("z")
            await pilot.pause()
            assert image.zoom == 2 and image.rows > image.size.height
            assert "zoom 2x" in screen_text(app).splitlines()[0]
            assert image.pan_x > 0  # zoomed about the centre of what was on screen
            await pilot.press("g")
            assert image.pan_y == 0 and image.pan_x == 0
            await pilot.press("j", "j", "L")
            await pilot.pause()
            assert image.pan_y == 2 and image.pan_x == 8
            assert f"rows {image.pan_y + 1}-" in screen_text(app).splitlines()[0]
            await pilot.press("G")
            assert image.pan_y == image.rows - image.size.height
            await pilot.press("Z")
            assert image.zoom == 1 and image.pan_y == 0
            await pilot.press("left")  # the other screenshot: the notice is not said again
            await pilot.press("escape", "enter")
            await until(pilot, lambda: type(app.screen).__name__ == "ScreenshotScreen")
            said = [n for n in notes if "half-blocks" in n]
            assert len(said) == 1 and "talvix[images]" in said[0]

    asyncio.run(main())


def test_with_the_images_extra_a_screenshot_uses_the_terminal_image_protocol(settings, demo):
    """--images sixel / kitty / auto with textual-image installed: the screenshot is that protocol's widget,
    fitted to the width, and nothing says "half-blocks"; --images halfblock with the extra installed says
    once how to get the protocol."""
    from textual_image import widget as ti

    from tui.widgets.halfblock import PannedImage

    async def shown(mode: str) -> tuple[object, list[str]]:
        app = make_app(settings, demo, image_mode=mode)
        notes = _said(app)
        async with app.run_test(size=(100, 30)) as pilot:
            shot = await _first_screenshot(pilot, app)
            await pilot.pause()
            image = shot.query_one("#image")
            assert image.size.width > 0
            return image, notes

    for mode, cls in (("sixel", ti.SixelImage), ("kitty", ti.TGPImage), ("auto", ti.Image)):
        image, notes = asyncio.run(shown(mode))
        assert isinstance(image, cls), mode
        assert not [n for n in notes if "half-blocks" in n], mode
    image, notes = asyncio.run(shown("halfblock"))
    assert isinstance(image, PannedImage)
    said = [n for n in notes if "half-blocks" in n]
    assert len(said) == 1 and "--images auto" in said[0] and "talvix[images]" not in said[0]


def test_enter_on_a_log_line_opens_its_task(settings, demo):
    from core import queue

    tid = demo.one("SELECT id FROM tasks WHERE agent = 'apply' AND status = 'dead' ORDER BY id")["id"]
    with demo.transaction() as conn:
        queue.add_event(conn, "a line about #999999 from outside", agent="apply", task_id=tid)
        queue.add_event(conn, "no task here #777777", agent="apply")

    async def main():
        app = make_app(settings, demo, start_view="logs")
        async with app.run_test(size=(80, 24)) as pilot:
            view = await until(pilot, lambda: app.screen.loads > 0 and app.screen)
            await settle(app)
            log = view.log_widget
            lines = list(log.lines)
            at = next(i for i, line in enumerate(lines) if "a line about #999999" in line)
            await pilot.press("k")  # a cursor appears on the last line on screen
            assert log.cursor == log.line_count - 1
            await pilot.press("enter")  # the last line names no task: said, nothing opens
            await pilot.pause()
            assert type(app.screen).__name__ == "LogsView"
            for _ in range(log.cursor - at):
                await pilot.press("k")
            assert log.cursor == at and f"#{tid}" in log.lines[at]
            await pilot.press("enter")
            await until(pilot, lambda: getattr(app.screen, "detail", None), what="the task detail")
            assert app.screen.task_id == tid  # the line's task, never the #999999 in its message
            assert f"Task {tid}" in screen_text(app).splitlines()[0]

    asyncio.run(main())


async def _find(pilot, app, word):
    await pilot.press("slash")
    await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen", what="the find prompt")
    await type_text(pilot, word)
    await pilot.press("enter")
    await pilot.pause()


def test_slash_searches_inside_every_detail_view(settings, demo):
    job = demo.one("SELECT id, company FROM jobs ORDER BY id LIMIT 1")
    cand = demo.one("SELECT id, full_name FROM candidates ORDER BY id LIMIT 1")

    async def main():
        app = make_app(settings, demo)
        async with app.run_test(size=(100, 30)) as pilot:
            # A record (job, candidate, audit entry): matches highlighted, counted, n goes on.
            for key, ident, word in (("6", job["id"], job["company"].split()[0]),
                                     ("7", cand["id"], cand["full_name"].split()[0])):
                view = await open_view(pilot, key)
                view.table.move_to_key(str(ident))
                await pilot.press("enter")
                await until(pilot, lambda: type(app.screen).__name__ == "TextScreen", what="the record")
                await _find(pilot, app, word.lower())
                screen = app.screen
                assert type(screen).__name__ == "TextScreen" and screen.match_count() >= 1
                assert "match(es)" in screen_text(app)
                body = screen.query_one("#text-body").render()
                assert any("yellow" in str(span.style) for span in body.spans)  # highlighted
                await pilot.press("n")
                await pilot.press("escape")
                await pilot.pause()
            # The answer sheet: the cursor goes to the row holding the text.
            view = await open_view(pilot, "4")
            view.table.move_to_key("task:41")
            await pilot.press("enter")
            await until(pilot, lambda: getattr(app.screen, "loads", 0) > 0, what="answer sheet")
            await settle(app)
            sheet = app.screen
            table = sheet.query_one("#fields")
            last = sheet.detail["fields"][-1]
            word = str(last["label"]).split()[-1].strip("?")
            await _find(pilot, app, word)
            assert sheet.match_count() >= 1
            assert word.lower() in " ".join(c.plain for c in table._cells[table.cursor_key]).lower()
            assert "match(es)" in screen_text(app).splitlines()[0]
            await pilot.press("escape")
            # Sites (from the overview): the cursor goes to the matching site.
            await open_view(pilot, "1")
            await pilot.press("s")
            await until(pilot, lambda: type(app.screen).__name__ == "SitesScreen" and app.screen.loads > 0)
            await settle(app)
            await _find(pilot, app, "lever")
            assert "lever" in app.screen.table.cursor_key and "match(es)" in screen_text(app).splitlines()[0]

    asyncio.run(main())


def test_sorting_by_a_column_sorts_the_whole_filtered_result_not_the_page(settings, demo):
    """S sorts in the database: the first row is the global maximum even when it is far beyond the
    first page (a client-side sort of the page would never show it), and ] pages through the sorted whole."""
    oldest = demo.one("SELECT min(id) AS id FROM tasks")["id"]
    demo.execute("UPDATE tasks SET attempts = 97, max_attempts = 99 WHERE id = %s", (oldest,))
    total = demo.one("SELECT count(*) AS n FROM tasks")["n"]
    small = settings.model_copy(update={"console": settings.console.model_copy(update={"page_size": 10})})

    async def main():
        app = make_app(small, demo, start_view="queue")
        async with app.run_test(size=(120, 40)) as pilot:
            view = await until(pilot, lambda: app.screen.loads > 0 and app.screen)
            await settle(app)
            table = view.table
            assert str(oldest) not in table.keys  # the newest page does not hold it
            page_max = max(view.rows[k]["attempts"] for k in table.keys)
            assert page_max < 97
            await pilot.press("S", "S", "S", "S")  # id, agent, status, try
            await settle(app)
            assert table.sort_col == "try"
            await pilot.press("I")  # descending
            await settle(app)
            await pilot.pause()
            assert table.keys[0] == str(oldest) and table.cursor_key == str(oldest)
            assert "sorted by try desc (all)" in screen_text(app)
            tries = [view.rows[k]["attempts"] for k in table.keys]
            assert tries == sorted(tries, reverse=True)
            seen = list(table.keys)
            while view.window.has_older:  # ] walks the whole sorted result, every task once
                n = view.loads
                await pilot.press("right_square_bracket")
                await until(pilot, lambda n=n: view.loads > n and not view._loading, what="the next page")
                await settle(app)
                nxt = [view.rows[k]["attempts"] for k in table.keys]
                assert max(nxt) <= min(tries)
                tries = nxt
                seen += table.keys
            assert len(seen) == len(set(seen)) == total

    asyncio.run(main())
