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
from core.apply_engine.fingerprint import PageAts, fingerprint

ADAPTERS: tuple[type[Adapter], ...] = (GreenhouseReactAdapter, GreenhouseAdapter, LeverAdapter, AshbyAdapter)

_WALLS = (
    (re.compile(r"myworkdayjobs\.com|\.workday\.com|myworkdaysite\.com", re.I), "workday",
     "Workday needs a candidate account (sign-in or create account) before it shows the form"),
    (re.compile(r"linkedin\.com", re.I), "linkedin",
     "LinkedIn needs the candidate signed in (and may ask for a verification code)"),
    (re.compile(r"naukri\.com", re.I), "naukri", "Naukri needs the candidate logged in or an OTP before applying"),
    (re.compile(r"successfactors\.(com|eu)|sapsf\.(com|eu)|jobs\.sap\.com", re.I), "successfactors",
     "SuccessFactors needs a candidate account (sign-in or create account) before it shows the form"),
    (re.compile(r"\.taleo\.net", re.I), "taleo",
     "Taleo needs a candidate account (sign-in or create account) before it shows the form"),
)
_OTP = re.compile(r"one[- ]time (password|code)|\botp\b|verification code|enter (the )?code|6-digit code|security check", re.I)
_SIGNIN = re.compile(r"sign in|log ?in|create account", re.I)


#: Submit buttons of ATSs that have no adapter of their own (the generic one fills them).
SUBMIT_SELECTORS: dict[str, tuple[str, ...]] = {
    "workable": ("button[data-ui='apply-button']",),
    "smartrecruiters": ("button[data-test='footer-submit']",),
    "jazzhr": ("#resumator-submit-resume",),
    "icims": ("input.iCIMS_Button[type=submit]",),
}


def adapter_for(url: str, page: PageAts | None = None) -> Adapter:
    """The adapter for the URL's ATS; for a URL that names none, the one the page's markup shows.

    For a form embedded in an iframe (a company page around a Greenhouse or iCIMS form) the adapter is
    scoped to that iframe: only its fields are read and filled, its submit button pressed.
    """
    for cls in ADAPTERS:
        if cls.matches(url):
            return cls()
    adapter: Adapter | None = None
    if page is not None and page.ats != "generic":
        for cls in ADAPTERS:
            if cls.name == page.ats:
                adapter = cls()
                break
        if adapter is None:
            adapter = Adapter()
            adapter.name = page.ats
            adapter.submit_selectors = SUBMIT_SELECTORS.get(page.ats, ()) + Adapter.submit_selectors
        adapter.scope = list(page.frame) if page.frame else None
        adapter.mark = page.mark
    return adapter or Adapter()


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


__all__ = ["ADAPTERS", "Adapter", "Confirmation", "PageAts", "adapter_for", "ats_of", "fingerprint", "wall_for"]
