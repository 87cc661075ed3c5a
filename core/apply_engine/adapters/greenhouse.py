"""Greenhouse: the legacy ``boards.greenhouse.io`` form and the React ``job-boards`` form.

Legacy: a plain ``<form id="application_form">`` with ``job_application[...]`` names, custom questions
wrapped in their labels, EEO selects, ``#submit_app``; success is a ``/confirmation`` page. React: fields
by id, custom and EEO questions as react-select comboboxes whose options exist only while the menu is
open (``[role=option]``, ``.select__option``), a visually hidden file input behind an "Attach" label,
and an in-place "Thank you for applying" after a fetch.
"""

from __future__ import annotations

from core.apply_engine.adapters.base import Adapter


class GreenhouseAdapter(Adapter):
    name = "greenhouse"
    submit_selectors = ("#submit_app", "#application_form input[type=submit]", "#application-form button[type=submit]",
                        "button[type=submit]")
    success_selectors = ("#application_confirmation", "#confirmation", ".confirmation")
    option_selector = "[role=option], .select__option"

    @classmethod
    def matches(cls, url: str) -> bool:
        return "greenhouse.io" in url and "job-boards." not in url

    def strong_selectors(self) -> tuple[str, ...]:
        return ("#application_confirmation",)


class GreenhouseReactAdapter(GreenhouseAdapter):
    name = "greenhouse_react"

    @classmethod
    def matches(cls, url: str) -> bool:
        return "job-boards.greenhouse.io" in url or "job-boards.eu.greenhouse.io" in url
