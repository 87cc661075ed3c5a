"""ATS adapters, and the walls Talvix hands to a person instead of crossing.

:func:`adapter_for` picks an adapter by the URL (the host, or the host text in a sandbox path such as
``/jobs.lever.co/...``). :func:`wall_for` names an account or OTP wall (Workday, LinkedIn, Naukri, or any
page whose only form is a sign-in or a one-time code).
"""

from __future__ import annotations

import re

from core.apply_engine.adapters.ashby import AshbyAdapter
from core.apply_engine.adapters.base import Adapter, Confirmation
from core.apply_engine.adapters.greenhouse import (
    GreenhouseAdapter,
    GreenhouseReactAdapter,
)
from core.apply_engine.adapters.lever import LeverAdapter

ADAPTERS: tuple[type[Adapter], ...] = (GreenhouseReactAdapter, GreenhouseAdapter, LeverAdapter, AshbyAdapter)

_WALLS = (
    (re.compile(r"myworkdayjobs\.com|\.workday\.com|myworkdaysite\.com", re.I), "workday",
     "Workday needs a candidate account (sign-in or create account) before it shows the form"),
    (re.compile(r"linkedin\.com", re.I), "linkedin",
     "LinkedIn needs the candidate signed in (and may ask for a verification code)"),
    (re.compile(r"naukri\.com", re.I), "naukri", "Naukri needs the candidate logged in or an OTP before applying"),
)
_OTP = re.compile(r"one[- ]time (password|code)|\botp\b|verification code|enter (the )?code|6-digit code|security check", re.I)
_SIGNIN = re.compile(r"sign in|log ?in|create account", re.I)


def adapter_for(url: str) -> Adapter:
    for cls in ADAPTERS:
        if cls.matches(url):
            return cls()
    return Adapter()


def ats_of(url: str) -> str:
    for cls in ADAPTERS:
        if cls.matches(url):
            return cls.name
    for pattern, name, _ in _WALLS:
        if pattern.search(url):
            return name
    return "generic"


def wall_for(url: str, text: str = "", *, has_password: bool = False, has_form: bool = False) -> str | None:
    """The reason a person must take over, when the page is an account or OTP wall; else None."""
    for pattern, name, reason in _WALLS:
        if pattern.search(url):
            if name == "linkedin" and _OTP.search(text):
                return "LinkedIn asks for a one-time verification code"
            return reason
    if not has_form and _OTP.search(text) and re.search(r"code|otp", text, re.I):
        return "the site asks for a one-time code (OTP)"
    return None


__all__ = ["ADAPTERS", "Adapter", "Confirmation", "adapter_for", "ats_of", "wall_for"]
