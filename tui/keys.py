"""The console's bindable actions: one registry, so every key has an id operators can remap.

``talvix.toml`` remaps keys by binding id (``[console.keys]`` ``retry = "R"``; several keys as
``"r,ctrl+r"``); the app applies the map with ``App.set_keymap``. Ids are stable: they are the config
contract, whatever key a binding has by default.
"""

from __future__ import annotations

from textual.binding import Binding

VIEWS = ("overview", "queue", "sessions", "approvals", "logs", "jobs", "candidates", "runners", "audit", "outcomes",
         "notifications")
#: Views 1-9, then 0 for the tenth; the eleventh on ctrl+n (and every one by :name).
VIEW_KEYS = {**{name: str((i + 1) % 10) for i, name in enumerate(VIEWS[:10])}, "notifications": "ctrl+n"}


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
    b("g,home", "top", "Top (gg)", id="cursor.top", show=False, key_display="gg"),
    b("G,end", "bottom", "Bottom", id="cursor.bottom", show=False, key_display="G"),
    b("S", "sort_next", "Sort by next column", id="sort.next", show=False),
    b("I", "sort_invert", "Invert sort", id="sort.invert", show=False),
]

#: Scrolling text (logs, help, details): vim keys as in less.
SCROLL_BINDINGS = [
    b("j", "scroll_down", "Down", id="scroll.down", show=False),
    b("k", "scroll_up", "Up", id="scroll.up", show=False),
    b("g,home", "scroll_home", "Top (gg)", id="scroll.top", show=False, key_display="gg"),
    b("G,end", "scroll_end", "Bottom", id="scroll.bottom", show=False, key_display="G"),
]

#: ``/`` inside a detail view, ``n`` / ``N`` the next / previous match.
SEARCH_BINDINGS = [
    b("slash", "search", "Find", id="find", key_display="/"),
    b("n", "next_match(1)", "Next match", id="find.next", show=False),
    b("N", "next_match(-1)", "Previous match", id="find.prev", show=False),
]

YANK_BINDINGS = [
    b("y", "yank", "Yank (copy)", id="yank", show=False),
]

QUEUE_BINDINGS = [
    b("space", "mark", "Mark", id="mark"),
    b("r", "retry", "Retry", id="retry"),
    b("x", "cancel_tasks", "Cancel", id="cancel"),
    b("R", "bulk_retry", "Retry all", id="bulk_retry"),
    b("u", "unmark", "Unmark all", id="unmark", show=False),
    b("E", "errors", "Errors grouped", id="errors"),
]

ERRORS_BINDINGS = [
    b("r", "retry_group", "Retry group", id="errors.retry"),
    b("x", "cancel_group", "Cancel group", id="errors.cancel"),
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

NOTIFY_BINDINGS = [
    b("s", "resolve_notification(True)", "Was delivered", id="notification.sent"),
    b("f", "resolve_notification(False)", "Not delivered", id="notification.failed"),
    b("r", "retry_notification", "Send again", id="notification.retry"),
]

OVERVIEW_BINDINGS = [
    b("p", "toggle_agent", "Pause/resume agent", id="agent.pause"),
    b("c", "set_cap", "Agent cap", id="agent.cap"),
    b("s", "sites", "Sites", id="sites"),
]

SITE_BINDINGS = [
    b("u", "resume_site", "Resume site", id="site.resume"),
]

#: On a row that names an application (sessions, approvals): its outcome, as ``talvix outcome``.
OUTCOME_RECORD_BINDINGS = [
    b("O", "record_outcome", "Outcome", id="outcome.record"),
]

SESSION_BINDINGS = [
    b("o", "open_screenshot", "Full screen", id="screenshot.open"),
    b("s", "save_screenshot", "Save as", id="screenshot.save"),
    b("c", "copy_path", "Copy path", id="screenshot.copy"),
]

LOG_BINDINGS = [
    b("space", "toggle_pause", "Pause/follow", id="logs.pause"),
    b("G,end", "follow", "Follow (bottom)", id="logs.follow", show=False, key_display="G"),
    b("w", "toggle_wrap", "Wrap", id="logs.wrap"),
    b("j", "scroll_down", "Down", id="logs.down", show=False),
    b("k", "scroll_up", "Up", id="logs.up", show=False),
    b("g,home", "scroll_top", "Top (gg)", id="logs.top", show=False, key_display="gg"),
    b("enter", "open_task", "Open task", id="logs.task"),
]

#: What each binding is for, as ``?`` groups them (by id prefix or id).
PURPOSES = (
    ("Act", ("retry", "cancel", "bulk_retry", "approve", "reject", "edit", "resolve.", "runner.", "agent.",
             "screenshot.save", "errors.retry", "errors.cancel", "site.", "mail.", "calibration.", "notification.",
             "outcome.")),
    ("Look", ("screenshot.", "yank", "logs.", "sort.", "filter", "refresh", "errors", "sites", "find", "find.")),
    ("Move", ("cursor.", "scroll.", "page.", "mark", "unmark", "back")),
    ("Views", ("view.", "command_line", "help", "quit")),
)


def purpose(binding_id: str) -> str:
    for name, prefixes in PURPOSES:
        if any(binding_id == p or (p.endswith(".") and binding_id.startswith(p)) for p in prefixes):
            return name
    return "Other"

#: Actions that change something: hidden and refused in read-only mode.
WRITE_ACTIONS = {"retry", "cancel_tasks", "bulk_retry", "approve", "reject", "resolve", "edit", "start_runner",
                 "stop_runner", "pause_runner", "toggle_agent", "retry_group", "cancel_group", "set_cap", "resume_site",
                 "confirm_mail", "dismiss_mail", "rollback_calibration", "resolve_notification", "record_outcome",
                 "retry_notification"}
