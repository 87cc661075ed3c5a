"""Greenhouse Job Board API: ``GET {base}/v1/boards/{board}/jobs?content=true``.

Shape: ``{"jobs": [{"id", "title", "updated_at", "location": {"name"}, "absolute_url", "content",
"departments", "offices", "metadata", "company_name"?, "first_published"?}], "meta": {"total"}}``.
``content`` is the description as entity-encoded HTML (``&lt;p&gt;``; some boards double-encode it), and
``location.name`` is free text that is often only a work model ("Remote"), so the workplace is read from
it and the office list supplies a place when there is one.
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
    decode_entities,
    get_json,
    html_to_text,
    is_work_model_only,
    read_entries,
    workplace_from_text,
)


def fetch(client: httpx.Client, board: str, base_url: str, settings: Any) -> list[dict[str, Any]]:
    url = f"{base(base_url)}/v1/boards/{quote(board, safe='')}/jobs"
    data = get_json(client, url, f"greenhouse board {board!r}", settings, params={"content": "true"})
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
        raise SourceError(f"greenhouse board {board!r}: answer has no 'jobs' list")
    return read_entries(f"greenhouse board {board!r}", data["jobs"], lambda item: to_job(board, item))


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def to_job(board: str, item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict) or item.get("id") is None or not item.get("title"):
        raise MalformedEntry("no id or title")
    location = ((item.get("location") or {}).get("name") or "").strip()
    offices = [str(name) for o in item.get("offices") or [] if isinstance(o, dict)
               if (name := o.get("name") or o.get("location"))]
    workplace = workplace_from_text(location)
    place = location
    if is_work_model_only(location):
        # "Remote" alone: keep the work model, and take a real place from the offices if any.
        real = [o for o in offices if not is_work_model_only(o)]
        place = f"{location} ({', '.join(real)})" if real else location
    html_content = decode_entities(item.get("content"))
    url = item.get("absolute_url")
    raw = {k: v for k, v in item.items() if k != "content"}
    return {
        "canonical_key": f"greenhouse:{board.lower()}:{item['id']}",
        "source": f"greenhouse:{board.lower()}",
        "company": item.get("company_name") or board,
        "title": str(item.get("title")).strip(),
        "location": place,
        "workplace": workplace,
        "url": url,
        "apply_url": url,
        "ats": "greenhouse",
        "description": html_to_text(html_content),
        "salary": None,
        "raw": raw,
        "posted_at": _parse_time(item.get("first_published") or item.get("updated_at")),
    }
