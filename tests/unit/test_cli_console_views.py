"""`talvix console --view` offers exactly the console's views."""

from __future__ import annotations

from cli.commands.console import VIEWS as CLI_VIEWS
from tui.keys import VIEWS


def test_every_console_view_can_be_opened_first() -> None:
    assert CLI_VIEWS == VIEWS
