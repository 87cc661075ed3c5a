"""Ashby: ``jobs.ashbyhq.com/<org>/<id>/application``.

A single-page app: the form is drawn by script after load (no ``<form>`` element), system fields are
known by id only (``_systemfield_name``, ``_systemfield_email``, ``_systemfield_resume``), and an
"Autofill from resume" upload sits next to the real resume field: filling that decoy would overwrite
the candidate's answers with the site's own parse, so it is excluded. Submit is a plain button; success
is an in-place "Thanks for submitting your application".
"""

from __future__ import annotations

from typing import Any

from core.apply_engine.adapters.base import Adapter
from core.apply_engine.forms import FormField


class AshbyAdapter(Adapter):
    name = "ashby"
    exclude = (".ashby-application-form-autofill-input-root, [class*=autofill-input], "
               "input[id*=autofill], input[name*=autofill]")
    submit_selectors = ("button.ashby-application-form-submit-button", "button[class*=submit-button]")
    success_selectors = (".ashby-application-form-success-container", "[class*=success-container]")

    @classmethod
    def matches(cls, url: str) -> bool:
        return "ashbyhq.com" in url

    def strong_selectors(self) -> tuple[str, ...]:
        return (".ashby-application-form-success-container",)

    def postprocess(self, driver: Any, fields: list[FormField]) -> list[FormField]:
        for f in fields:
            if f.name == "_systemfield_name":
                f.role = "full_name"
            elif f.name == "_systemfield_resume":
                f.role = "resume"
        return super().postprocess(driver, fields)
