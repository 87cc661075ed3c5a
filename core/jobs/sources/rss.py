"""RSS 2.0 and Atom job feeds, read with httpx and parsed by feedparser.

Each entry is one job: ``title``, ``link``, ``id``/``guid``, ``summary``/``content``, ``author`` (taken as the
company when the feed names one), ``published``/``updated``, and a location from ``<location>`` or
``<job:location>``-style elements when the feed has them. The canonical key is
``rss:<feed>:<entry>`` with short hashes of the feed URL and of the entry's id (or link), so two feeds on
one host never close each other's jobs; the same posting under another URL still merges through
``job_urls``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import feedparser
import httpx

from core.jobs.sources import (
    MalformedEntry,
    SourceError,
    get,
    html_to_text,
    read_entries,
    workplace_from_text,
)


def feed_key(feed_url: str) -> str:
    return hashlib.sha256(feed_url.encode()).hexdigest()[:12]


def _rebase(feed_url: str, base_url: str | None) -> str:
    """``--base-url`` replaces the feed's scheme and host (tests, mirrors), keeping its path and query."""
    if not base_url:
        return feed_url
    f, b = urlsplit(feed_url), urlsplit(base_url)
    return urlunsplit((b.scheme, b.netloc, (b.path.rstrip("/") + f.path) or "/", f.query, ""))


def key_prefix(feed_url: str) -> str:
    return f"rss:{feed_key(feed_url)}:"


def fetch(client: httpx.Client, feed_url: str, base_url: str | None, settings: Any) -> list[dict[str, Any]]:
    url = _rebase(feed_url, base_url)
    resp = get(client, url, f"feed {feed_url}", settings)
    parsed = feedparser.parse(resp.content, response_headers={"content-type": resp.headers.get("content-type", "")})
    if parsed.bozo and not parsed.entries:
        raise SourceError(f"feed {feed_url}: not an RSS or Atom feed ({type(parsed.bozo_exception).__name__})")
    feed_title = str(parsed.feed.get("title") or urlsplit(feed_url).netloc)
    return read_entries(f"feed {feed_url!r}", list(parsed.entries), lambda e: to_job(feed_url, feed_title, e))


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        t = entry.get(key)
        if t:
            return datetime(t[0], t[1], t[2], t[3], t[4], t[5], tzinfo=UTC)
    return None


def _location(entry: Any) -> str:
    for key in ("location", "job_location", "joblocation", "georss_featurename"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


_LOCATION_LINE = re.compile(r"^\s*location\s*:\s*(.+?)\s*$", re.I | re.M)


_EMAIL_NAME = re.compile(r"^\s*\S+@\S+\s*\((?P<a>[^()]+)\)\s*$|^\s*(?P<b>[^<>]+?)\s*<\S+@\S+>\s*$")


def _company(entry: Any, feed_title: str) -> str:
    """The author as a company name. RSS 2.0 ``<author>`` is ``email (Name)``: the name, never the email.

    (Parsed here: feedparser's own split cuts addresses whose top-level domain is long, such as .example.)
    """
    author = (entry.get("author") or "").strip()
    if m := _EMAIL_NAME.match(author):
        return (m.group("a") or m.group("b")).strip()
    if "@" in author:
        return feed_title
    return author or feed_title


def to_job(feed_url: str, feed_title: str, entry: Any) -> dict[str, Any] | None:
    title = (entry.get("title") or "").strip()
    link = entry.get("link")
    ident = entry.get("id") or link
    if not title or not ident:
        raise MalformedEntry("no title or link")
    body = ""
    if entry.get("content"):
        body = " ".join(c.get("value", "") for c in entry["content"])
    body = body or entry.get("summary") or entry.get("description") or ""
    company = _company(entry, feed_title).strip()
    suffix = f" at {company}"
    if company and title.lower().endswith(suffix.lower()) and len(title) > len(suffix):
        title = title[: -len(suffix)].strip()  # aggregators title items "Role at Company"
    description = html_to_text(body)
    location = _location(entry)
    if not location and (m := _LOCATION_LINE.search(description[:300])):
        location = m.group(1)  # feeds without a location element often open the description with it
    return {
        "canonical_key": f"{key_prefix(feed_url)}{hashlib.sha256(str(ident).encode()).hexdigest()[:16]}",
        "source": f"rss:{feed_url}",
        "company": company,
        "title": title,
        "location": location,
        "workplace": workplace_from_text(location, title),
        "url": link,
        "apply_url": link,
        "ats": None,
        "description": description,
        "salary": None,
        "raw": {"id": str(ident), "link": link, "feed": feed_url, "tags": [t.get("term") for t in entry.get("tags", [])]},
        "posted_at": _when(entry),
    }
