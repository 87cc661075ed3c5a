"""The console as an operator who lives in k9s and lazygit uses it, at 80x24 and up (Pilot, real Postgres):
what is typed shows, what waits for a person reads in full, guardrails before risky actions."""

from __future__ import annotations

import asyncio

import pytest

from tests.console_support import demo, make_app, open_view, screen_text, settle, type_text, until  # noqa: F401


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
