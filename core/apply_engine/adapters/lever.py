"""Lever: ``jobs.lever.co/<company>/<id>/apply``.

One "Full name" field, ``urls[LinkedIn]``-style link fields, and custom question cards whose visible
text often has no ``<label for>``: each card carries a hidden ``cards[<id>][baseTemplate]`` JSON listing
its fields in order (text, type, required, options), which is the authoritative label and required flag
of ``cards[<id>][fieldN]``. Success is "Application submitted!" on a ``/thanks`` page.
"""

from __future__ import annotations

import json
import re
from typing import Any

from core.apply_engine.adapters.base import Adapter
from core.apply_engine.forms import FormField

_CARD = re.compile(r"^cards\[([^\]]+)\]\[field(\d+)\]$")


class LeverAdapter(Adapter):
    name = "lever"
    submit_selectors = ("#btn-submit", "button[data-qa=btn-submit]", "button[type=submit]")
    success_selectors = ("[data-qa=msg-submit-success]", ".application-confirmation")

    @classmethod
    def matches(cls, url: str) -> bool:
        return "jobs.lever.co" in url or "jobs.eu.lever.co" in url

    def strong_selectors(self) -> tuple[str, ...]:
        return ("[data-qa=msg-submit-success]",)

    def postprocess(self, driver: Any, fields: list[FormField]) -> list[FormField]:
        templates: dict[str, list[dict[str, Any]]] = {}
        raw = driver.execute_script(  # every card's template in one round trip
            "return Array.from(document.querySelectorAll(\"input[type=hidden][name$='[baseTemplate]']\"))"
            ".map(e => [e.getAttribute('name') || '', e.value || '']);") or []
        for name, value in raw:
            m = re.match(r"^cards\[([^\]]+)\]\[baseTemplate\]$", name)
            try:
                data = json.loads(value or "{}")
            except ValueError:
                continue
            if m:
                templates[m.group(1)] = list(data.get("fields") or [])
        for f in fields:
            m = _CARD.match(f.name or "")
            if not m or m.group(1) not in templates:
                continue
            spec = templates[m.group(1)]
            i = int(m.group(2))
            if i < len(spec):
                f.label = str(spec[i].get("text") or f.label).strip()
                f.required = bool(spec[i].get("required", f.required))
            if f.name == "name":
                f.role = "full_name"
        for f in fields:
            if f.name == "name":
                f.role = "full_name"
            f.label = f.label.replace("✱", " ").strip()
            if f.type == "file":
                f.label = re.sub(r"\s*attach\b.*$", "", f.label, flags=re.I).strip() or f.label
        return super().postprocess(driver, fields)
