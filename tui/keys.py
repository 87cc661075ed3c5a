"""The console's bindable actions: one registry, so every key has an id operators can remap.

``talvix.toml`` remaps keys by binding id (``[console.keys]`` ``retry = "R"``; several keys as
``"r,ctrl+r"``); the app applies the map with ``App.set_keymap``. Ids are stable: they are the config
contract, whatever key a binding has by default.
"""

from __future__ import annotations

from textual.binding import Binding

VIEWS = ("overview", "queue", "sessions", "approvals", "logs", "jobs", "candidates", "runners", "audit", "outcomes")
#: Views 1-9, then 0 for the tenth.
VIEW_KEYS = {name: str((i + 1) % 10) for i, name in enumerate(VIEWS)}


def b(key: str, action: str, description: str, *, id: str, show: bool = True, tooltip: str = "",
      key_display: str | None = None, priority: bool = False) -> Binding:
    return Binding(key, action, description, show=show, id=id, tooltip=tooltip or description,
                   key_display=key_display, priority=priority)


APP_BINDINGS = [
    *[b(VIEW_KEYS[v], f"view('{v}')", v.capitalize(), id=f"view.{v}", show=False) for v in VIEWS],
    b("question_mark", "help", "Help", id="help", key_display="?"),
    b("colon", "command_line", "Command", id="command_line", key_display=":", show=False),
    b("q", "quit", "Quit", id="quit", show=False),
]

VIEW_BINDINGS = [
    b("slash", "filter", "Filter", id="filter", key_display="/"),
    b("escape", "back", "Back", id="back", show=False),
    b("ctrl+r", "reload", "Refresh", id="refresh", show=False),
    b("right_square_bracket", "older", "Older page", id="page.older", key_display="]", show=False),
    b("left_square_bracket", "newer", "Newer page", id="page.newer", key_display="[", show=False),
    b("g", "newest", "Newest", id="page.newest", show=False),
]

TABLE_BINDINGS = [
    b("j", "cursor_down", "Down", id="cursor.down", show=False),
    b("k", "cursor_up", "Up", id="cursor.up", show=False),
]

QUEUE_BINDINGS = [
    b("space", "mark", "Mark", id="mark"),
    b("r", "retry", "Retry", id="retry"),
    b("x", "cancel_tasks", "Cancel", id="cancel"),
    b("R", "bulk_retry", "Retry all", id="bulk_retry"),
    b("u", "unmark", "Unmark all", id="unmark", show=False),
]

APPROVAL_BINDINGS = [
    b("a", "approve", "Approve", id="approve"),
    b("r", "reject", "Reject", id="reject"),
    b("s", "resolve('submitted')", "Was submitted", id="resolve.submitted", show=False),
    b("f", "resolve('failed')", "Not submitted", id="resolve.failed", show=False),
]

APPROVAL_DETAIL_BINDINGS = [
    b("e", "edit", "Edit answer", id="edit"),
    b("a", "approve", "Approve", id="approve"),
    b("r", "reject", "Reject", id="reject"),
    b("o", "open_screenshot", "Screenshot", id="screenshot.open"),
]

RUNNER_BINDINGS = [
    b("n", "start_runner", "Start runner", id="runner.start"),
    b("x", "stop_runner", "Stop", id="runner.stop"),
    b("p", "pause_runner", "Pause/resume", id="runner.pause"),
]

OUTCOME_BINDINGS = [
    b("c", "confirm_mail", "Confirm message", id="mail.confirm"),
    b("d", "dismiss_mail", "Dismiss message", id="mail.dismiss"),
    b("b", "rollback_calibration", "Roll back calibration", id="calibration.rollback"),
]

OVERVIEW_BINDINGS = [
    b("p", "toggle_agent", "Pause/resume agent", id="agent.pause"),
]

SESSION_BINDINGS = [
    b("o", "open_screenshot", "Full screen", id="screenshot.open"),
    b("s", "save_screenshot", "Save as", id="screenshot.save"),
    b("c", "copy_path", "Copy path", id="screenshot.copy"),
]

LOG_BINDINGS = [
    b("space", "toggle_pause", "Pause/follow", id="logs.pause"),
    b("G", "follow", "Follow", id="logs.follow", show=False),
]

#: Actions that change something: hidden and refused in read-only mode.
WRITE_ACTIONS = {"retry", "cancel_tasks", "bulk_retry", "approve", "reject", "resolve", "edit", "start_runner",
                 "stop_runner", "pause_runner", "toggle_agent", "confirm_mail", "dismiss_mail",
                 "rollback_calibration"}
