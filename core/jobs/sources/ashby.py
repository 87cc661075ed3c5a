"""Ashby posting API: ``GET {base}/posting-api/job-board/{board}?includeCompensation=true``.

Shape: ``{"apiVersion", "jobs": [{"id", "title", "location", "secondaryLocations": [{"location"}],
"department", "team", "isListed", "isRemote", "workplaceType", "descriptionHtml", "descriptionPlain",
"publishedAt", "employmentType", "jobUrl", "applyUrl", "compensation": {"compensationTierSummary",
"compensationTiers": [{"title", "components": [{"compensationType", "interval", "currencyCode",
"minValue", "maxValue"}]}]}}]}``. Unlisted postings (``isListed: false``) are skipped. The salary is the
widest range over the tiers' ``Salary`` components.
"""

from __future__ import annotations

from datetime import datetime
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

_WORKPLACE = {"remote": "remote", "hybrid": "hybrid", "onsite": "onsite", "on-site": "onsite"}
_INTERVAL = {"1 YEAR": "year", "1 MONTH": "month", "1 HOUR": "hour", "1 WEEK": "week", "1 DAY": "day"}


def fetch(client: httpx.Client, board: str, base_url: str, settings: Any) -> list[dict[str, Any]]:
    url = f"{base(base_url)}/posting-api/job-board/{quote(board, safe='')}"
    data = get_json(client, url, f"ashby board {board!r}", settings, params={"includeCompensation": "true"})
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
        raise SourceError(f"ashby board {board!r}: answer has no 'jobs' list")
    return read_entries(f"ashby board {board!r}", data["jobs"], lambda item: to_job(board, item))


def salary_from_compensation(comp: Any) -> dict[str, Any] | None:
    """The salary range over every tier (each tier is a zone or level), with the tiers kept for display."""
    if not isinstance(comp, dict):
        return None
    lows: list[float] = []
    highs: list[float] = []
    currency = period = None
    tiers = []
    for tier in comp.get("compensationTiers") or []:
        if not isinstance(tier, dict):
            continue
        tiers.append({"title": tier.get("title"), "summary": tier.get("tierSummary")})
        for c in tier.get("components") or []:
            if not isinstance(c, dict) or c.get("compensationType") != "Salary":
                continue
            if c.get("minValue") is not None:
                lows.append(float(c["minValue"]))
            if c.get("maxValue") is not None:
                highs.append(float(c["maxValue"]))
            currency = currency or c.get("currencyCode")
            period = period or _INTERVAL.get(str(c.get("interval") or "").upper(), c.get("interval"))
    if not lows and not highs:
        return None
    return {"currency": currency, "min": min(lows) if lows else None, "max": max(highs) if highs else None,
            "period": period or "year", "text": comp.get("scrapeableCompensationSalarySummary")
            or comp.get("compensationTierSummary"), "tiers": tiers, "source": "ashby"}


def to_job(board: str, item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict) or not item.get("title"):
        raise MalformedEntry("no title")
    if item.get("isListed") is False:
        return None
    ident = item.get("id") or item.get("jobUrl")
    if not ident:
        raise MalformedEntry("no id or jobUrl")
    locs = [item.get("location")] + [s.get("location") for s in item.get("secondaryLocations") or []
                                     if isinstance(s, dict)]
    location = "; ".join(dict.fromkeys(str(x) for x in locs if x))
    workplace = _WORKPLACE.get(str(item.get("workplaceType") or "").lower())
    if workplace is None:
        workplace = "remote" if item.get("isRemote") else workplace_from_text(location)
    posted = None
    if isinstance(item.get("publishedAt"), str):
        try:
            posted = datetime.fromisoformat(item["publishedAt"].replace("Z", "+00:00"))
        except ValueError:
            posted = None
    raw = {k: v for k, v in item.items() if k not in ("descriptionHtml", "descriptionPlain")}
    return {
        "canonical_key": f"ashby:{board.lower()}:{ident}",
        "source": f"ashby:{board.lower()}",
        "company": board,
        "title": str(item["title"]).strip(),
        "location": location,
        "workplace": workplace,
        "url": item.get("jobUrl"),
        "apply_url": item.get("applyUrl") or item.get("jobUrl"),
        "ats": "ashby",
        "description": item.get("descriptionPlain") or html_to_text(item.get("descriptionHtml")),
        "salary": salary_from_compensation(item.get("compensation")),
        "raw": raw,
        "posted_at": posted,
        "employment_type": item.get("employmentType"),
    }
