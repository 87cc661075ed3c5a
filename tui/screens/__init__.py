"""The console's views, one module each; ``VIEW_CLASSES`` maps a view name to its screen."""

from __future__ import annotations

from tui.screens.approvals import ApprovalsView
from tui.screens.browsers import AuditView, CandidatesView, JobsView
from tui.screens.logs import LogsView
from tui.screens.notifications import NotificationsView
from tui.screens.outcomes import OutcomesView
from tui.screens.overview import OverviewView
from tui.screens.queue import QueueView
from tui.screens.runners import RunnersView
from tui.screens.sessions import SessionsView

VIEW_CLASSES = {
    "overview": OverviewView,
    "queue": QueueView,
    "sessions": SessionsView,
    "approvals": ApprovalsView,
    "logs": LogsView,
    "jobs": JobsView,
    "candidates": CandidatesView,
    "runners": RunnersView,
    "audit": AuditView,
    "outcomes": OutcomesView,
    "notifications": NotificationsView,
}
