"""Which proxy an application goes through: the candidate's own, else the site's, else the global one."""

from __future__ import annotations

import os
from typing import Any


def proxy_for(settings: Any, site: str | None, candidate: str | None) -> str | None:
    """Candidate proxy, else the site's (from the environment variable it names), else the global one."""
    if candidate:
        return candidate
    env_name = settings.apply.site_proxy_env.get(site or "")
    if env_name and os.environ.get(env_name):
        return os.environ[env_name]
    return settings.apply.proxy_url.get_secret_value() if settings.apply.proxy_url else None
