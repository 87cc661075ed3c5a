"""Errors that reach the operator as one clear line, with the exit code scripts rely on."""

from __future__ import annotations


class TalvixError(Exception):
    """An error the operator can act on. ``str(err)`` is the whole message; no traceback is shown."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class ConfigError(TalvixError):
    exit_code = 2


class InvalidInput(TalvixError):
    """Bad input from the operator (an argument, a payload, a file they gave): refused before anything is
    written, with the same exit code as a bad setting."""

    exit_code = 2


class DatabaseUnavailable(TalvixError):
    exit_code = 1


class NotFound(TalvixError):
    exit_code = 1


class LeaseLost(Exception):
    """The task is no longer ours (lease expired and was reclaimed, or cancelled): stop without side effects."""


class PermanentError(Exception):
    """An agent failure that retrying cannot fix: the task goes straight to ``dead``."""


class NeedsHuman(Exception):
    """The agent cannot continue without an operator: the task goes to ``needs_human`` with this reason.

    ``data`` (optional) is stored as the task's result, e.g. the apply agent's answer sheet.
    """

    def __init__(self, reason: str, data: dict | None = None, in_tx=None) -> None:  # noqa: ANN001
        super().__init__(reason)
        self.data = data or {}
        #: Extra writes committed with the parking (gets the open connection), e.g. a notification.
        self.in_tx = in_tx


class AwaitingApproval(Exception):
    """The agent stops before an irreversible step and waits for an operator's approval."""

    def __init__(self, reason: str, data: dict | None = None, in_tx=None) -> None:  # noqa: ANN001
        super().__init__(reason)
        self.data = data or {}
        #: Extra writes committed with the parking (gets the open connection), e.g. a notification.
        self.in_tx = in_tx


class RetryLater(Exception):
    """Retry after ``delay_s`` seconds without it counting as a failure of the agent's logic."""

    def __init__(self, reason: str, delay_s: float = 60.0) -> None:
        super().__init__(reason)
        self.delay_s = delay_s


class BrowserError(TalvixError):
    """The browser (Chromium, chromedriver, Xvfb, the proxy forwarder) could not be started or stopped; the message
    says what to check."""
