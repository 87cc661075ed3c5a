"""Snapshots of every view on the demo data at 80x24 and 160x48: fixed data, frozen clock, no live loop.

Update after an intended change with ``pytest tests/integration/test_console_snapshots.py --snapshot-update`` and
review the SVGs under ``tests/integration/__snapshots__/``.
"""

from __future__ import annotations

import pytest

from tests.support.console_support import make_app, open_view, settle, until  # noqa: F401
from tui.keys import VIEW_KEYS, VIEWS

SIZES = [(80, 24), (160, 48)]


class TestViewSnapshots:
    @pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
    @pytest.mark.parametrize("view", VIEWS)
    def test_view(self, snap_compare, settings, demo, view, size):
        async def run_before(pilot):
            await open_view(pilot, VIEW_KEYS[view])
            await settle(pilot.app)
            await pilot.pause()

        assert snap_compare(make_app(settings, demo), terminal_size=size, run_before=run_before)


class TestDetailSnapshots:
    @pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
    def test_approval_answer_sheet(self, snap_compare, settings, demo, size):
        async def run_before(pilot):
            view = await open_view(pilot, VIEW_KEYS["approvals"])
            view.table.move_to_key("task:41")
            await pilot.press("enter")
            await until(pilot, lambda: pilot.app.screen.loads > 0)
            await settle(pilot.app)

        assert snap_compare(make_app(settings, demo), terminal_size=size, run_before=run_before)

    def test_help(self, snap_compare, settings, demo):
        async def run_before(pilot):
            await open_view(pilot, VIEW_KEYS["queue"])
            await pilot.press("question_mark")
            await pilot.pause()

        assert snap_compare(make_app(settings, demo), terminal_size=(80, 24), run_before=run_before)
