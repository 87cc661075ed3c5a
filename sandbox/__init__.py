"""A local job board for tests and the demo: board APIs, ATS-style forms, faults, recorded submissions.

``with SandboxServer(port=0) as sb: ...`` runs it in-process; ``talvix sandbox`` runs it from the shell.
See the README, "Sandbox job board".
"""

from sandbox.seed import Job, Question, default_jobs
from sandbox.server import SandboxServer

__all__ = ["Job", "Question", "SandboxServer", "default_jobs"]
