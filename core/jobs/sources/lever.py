"""Lever Postings API: ``GET {base}/v0/postings/{site}?mode=json`` (US host, or the EU host for ``lever-eu:``).

Shape: a bare JSON array of postings ``{"id", "text", "categories": {"location", "allLocations",
"commitment", "team", "department"}, "country", "workplaceType", "hostedUrl", "applyUrl", "createdAt"
(ms), "description", "descriptionPlain", "lists": [{"text", "content"}], "additional",
"additionalPlain", "salaryRange": {"min", "max", "currency", "interval"}}``. A posting is ``lever:<site>:<id>``
whichever host served it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from core.jobs.sources import (
    MalformedEntry,
    SourceError,
    base,
    get_json,
    html_to_text,
    read_entries,
    workplace_from_text,
)

_WORKPLACE = {"remote": "remote", "hybrid": "hybrid", "on-site": "onsite", "onsite": "onsite"}
_INTERVAL = {"per-year-salary": "year", "per-month-salary": "month", "per-hour-wage": "hour",
             "per-week-salary": "week", "per-day-wage": "day"}


def fetch(client: httpx.Client, site: str, base_url: str, settings: Any) -> list[dict[str, Any]]:
    url = f"{base(base_url)}/v0/postings/{quote(site, safe='')}"
    data = get_json(client, url, f"lever site {site!r}", settings, params={"mode": "json"})
    if isinstance(data, dict) and data.get("ok") is False:
        raise SourceError(f"lever site {site!r}: {data.get('error') or 'error answer'}")
    if not isinstance(data, list):
        raise SourceError(f"lever site {site!r}: expected a JSON array of postings")
    return read_entries(f"lever site {site!r}", data, lambda item: to_job(site, item))


def _description(item: dict[str, Any]) -> str:
    parts = [item.get("descriptionPlain") or html_to_text(item.get("description"))]
    for lst in item.get("lists") or []:
        if isinstance(lst, dict):
            parts.append(str(lst.get("text") or "").strip())
            parts.append(html_to_text(lst.get("content")))
    parts.append(item.get("additionalPlain") or html_to_text(item.get("additional")))
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _salary(item: dict[str, Any]) -> dict[str, Any] | None:
    rng = item.get("salaryRange")
    if not isinstance(rng, dict) or (rng.get("min") is None and rng.get("max") is None):
        return None
    return {"currency": rng.get("currency"), "min": rng.get("min"), "max": rng.get("max"),
            "period": _INTERVAL.get(str(rng.get("interval") or ""), rng.get("interval")),
            "text": item.get("salaryDescriptionPlain") or None, "source": "lever"}


def to_job(site: str, item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict) or not item.get("id") or not item.get("text"):
        raise MalformedEntry("no id or text (title)")
    cats = item.get("categories") or {}
    locations = [str(x) for x in cats.get("allLocations") or [] if x] or ([cats["location"]] if cats.get("location") else [])
    location = "; ".join(dict.fromkeys(locations))
    workplace = _WORKPLACE.get(str(item.get("workplaceType") or "").lower()) or workplace_from_text(location)
    created = item.get("createdAt")
    posted = datetime.fromtimestamp(created / 1000, tz=UTC) if isinstance(created, (int, float)) else None
    raw = {k: v for k, v in item.items() if k not in ("description", "descriptionPlain", "lists", "additional",
                                                     "additionalPlain", "descriptionBody", "descriptionBodyPlain",
                                                     "opening", "openingPlain")}
    return {
        "canonical_key": f"lever:{site.lower()}:{item['id']}",
        "source": f"lever:{site.lower()}",
        "company": site,
        "title": str(item["text"]).strip(),
        "location": location,
        "workplace": workplace,
        "url": item.get("hostedUrl"),
        "apply_url": item.get("applyUrl") or item.get("hostedUrl"),
        "ats": "lever",
        "description": _description(item),
        "salary": _salary(item),
        "raw": raw,
        "posted_at": posted,
        "employment_type": cats.get("commitment"),
    }
