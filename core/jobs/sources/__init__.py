"""Job sources: each module turns one provider's public listing into job dicts for ``core.jobs.store.upsert_job``.

A source is named ``kind:value`` (``greenhouse:acme``, ``lever:acme``, ``lever-eu:acme``, ``ashby:acme``,
``rss:https://...``, ``jobspy:...``). Every module exposes ``fetch(client, value, base_url) -> list[dict]``
and reads its host from ``[discovery]`` settings unless ``--base-url`` overrides it, so tests and the
sandbox can point it at a loopback server.

Provider trouble becomes one of three exceptions the discover agent and the CLI act on differently:
:class:`SourceNotFound` (unknown or closed board: an error, nothing touched), :class:`SourceBlocked`
(429/403: the source is paused with the reason) and :class:`SourceError` (anything else).
"""

from __future__ import annotations

import html
import importlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from core.errors import TalvixError

if TYPE_CHECKING:
    from core.config import DiscoverySettings

#: source kind -> module under core.jobs.sources
SOURCE_MODULES = {
    "greenhouse": "core.jobs.sources.greenhouse",
    "lever": "core.jobs.sources.lever",
    "lever-eu": "core.jobs.sources.lever",
    "ashby": "core.jobs.sources.ashby",
    "rss": "core.jobs.sources.rss",
    "jobspy": "core.jobs.sources.jobspy_source",
}


class SourceError(TalvixError):
    """A source could not be read (network, bad answer)."""


class SourceNotFound(SourceError):
    """The board does not exist or was closed (HTTP 404/410)."""


class SourceBlocked(SourceError):
    """The provider refused us (HTTP 429/403): pause the source for ``retry_after_s``."""

    def __init__(self, message: str, *, status: int, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


class MalformedEntry(Exception):
    """One entry of a source's answer lacks what every job needs (an id, a title): the answer is not whole."""


def read_entries(what: str, items: list[Any], convert: Callable[[Any], dict[str, Any] | None]) -> list[dict[str, Any]]:
    """Every entry of a source's answer as a job (``convert`` returns None for one deliberately left out).

    A partial or malformed answer is an error, never a shorter listing: syncing a listing closes the jobs
    it no longer names, so one unreadable entry would close an open job. Nothing is written then.
    """
    jobs: list[dict[str, Any]] = []
    bad: list[str] = []
    for n, item in enumerate(items, 1):
        try:
            job = convert(item)
        except MalformedEntry as exc:
            bad.append(f"entry {n}: {exc}")
            continue
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            bad.append(f"entry {n}: {type(exc).__name__}: {exc}")
            continue
        if job is not None:
            jobs.append(job)
    if bad:
        raise SourceError(f"{what}: {len(bad)} of {len(items)} entries could not be read ({bad[0]}); nothing was "
                          "changed and its open jobs stay open: check the source's answer, then run discover again")
    return jobs


@dataclass(frozen=True)
class SourceSpec:
    kind: str  # greenhouse | lever | lever-eu | ashby | rss | jobspy
    value: str  # board / site / feed URL / search

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.value}"

    @property
    def key_kind(self) -> str:
        """Kind used in canonical keys: a Lever posting is ``lever:`` whichever host served it."""
        return "lever" if self.kind == "lever-eu" else self.kind


_BOARD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def parse_source(text: str) -> SourceSpec:
    """``greenhouse:acme`` -> SourceSpec; a one-line error naming the accepted forms otherwise."""
    kind, sep, value = (text or "").strip().partition(":")
    kind = kind.lower()
    if not sep or kind not in SOURCE_MODULES or not value.strip():
        raise TalvixError(
            f"bad source {text!r}: use greenhouse:BOARD, lever:SITE, lever-eu:SITE, ashby:BOARD, rss:URL or jobspy:SEARCH"
        )
    value = value.strip()
    if kind == "rss":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise TalvixError(f"bad source {text!r}: rss: needs an http(s) feed URL")
    elif kind != "jobspy" and not _BOARD.match(value):
        raise TalvixError(f"bad source {text!r}: a board name has letters, digits, '-', '_' or '.' only")
    return SourceSpec(kind, value)


def source_module(spec: SourceSpec) -> Any:
    return importlib.import_module(SOURCE_MODULES[spec.kind])


# ------------------------------------------------------------------------------------------------
# HTTP
# ------------------------------------------------------------------------------------------------
def make_client(settings: DiscoverySettings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    from core.netguard import httpx_hooks

    return httpx.Client(timeout=settings.timeout_s, follow_redirects=True, transport=transport,
                        headers={"User-Agent": settings.user_agent, "Accept": "application/json, */*"},
                        event_hooks=httpx_hooks())


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class _Overrun(Exception):
    """The answer did not finish within the deadline, or grew past the size limit."""


def _read_bounded(client: httpx.Client, url: str, params: dict[str, Any] | None,
                  settings: DiscoverySettings) -> httpx.Response:
    """One GET, read whole within ``timeout_s`` in total and ``max_response_mb`` in size.

    httpx's timeouts bound each read, so a server that trickles a byte at a time would never time out;
    the deadline here bounds the whole answer, and the size limit bounds memory.
    """
    deadline = time.monotonic() + settings.timeout_s
    limit = int(settings.max_response_mb * 1024 * 1024)
    with client.stream("GET", url, params=params) as resp:
        body = bytearray()
        for chunk in resp.iter_bytes():
            body += chunk
            if len(body) > limit:
                raise _Overrun(f"answer is larger than {settings.max_response_mb:g} MB")
            if time.monotonic() > deadline:
                raise _Overrun(f"answer did not finish within {settings.timeout_s:g} s")
        if time.monotonic() > deadline:
            raise _Overrun(f"answer did not finish within {settings.timeout_s:g} s")
    headers = [(k, v) for k, v in resp.headers.items() if k.lower() not in ("content-encoding", "content-length",
                                                                             "transfer-encoding")]
    return httpx.Response(resp.status_code, headers=headers, content=bytes(body), request=resp.request)


def get(client: httpx.Client, url: str, what: str, settings: DiscoverySettings,
        params: dict[str, Any] | None = None, sleep: Any = time.sleep) -> httpx.Response:
    """GET with backoff on 429/5xx; maps 404/410 to :class:`SourceNotFound`, 403/429 to :class:`SourceBlocked`.

    A server that does not answer in time fails once (a timeout is not retried: three would triple the wait);
    a refused or dropped connection is retried with backoff.
    """
    attempt = 0
    while True:
        try:
            resp = _read_bounded(client, url, params, settings)
        except _Overrun as exc:
            raise SourceError(f"{what}: {_host(url)}: {exc}; check the source, or raise [discovery] timeout_s / "
                              f"max_response_mb") from None
        except httpx.TimeoutException as exc:
            raise SourceError(f"{what}: {_host(url)} did not answer within {settings.timeout_s:g} s "
                              f"({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            if attempt < settings.retries:
                sleep(settings.backoff_s * (2 ** attempt))
                attempt += 1
                continue
            raise SourceError(f"{what}: cannot reach {_host(url)}: {type(exc).__name__}") from None
        status = resp.status_code
        if status < 400:
            return resp
        if status in (404, 410):
            raise SourceNotFound(f"{what}: not found at {_host(url)} (HTTP {status}); check the board name, "
                                 f"or the board was closed")
        retry_after = _retry_after(resp)
        retryable = status == 429 or status >= 500
        if retryable and attempt < settings.retries and (retry_after is None or retry_after <= settings.max_retry_after_s):
            sleep(retry_after if retry_after is not None else settings.backoff_s * (2 ** attempt))
            attempt += 1
            continue
        if status in (403, 429):
            reason = "rate limited (HTTP 429)" if status == 429 else "access refused (HTTP 403)"
            raise SourceBlocked(f"{what}: {reason} by {_host(url)}", status=status, retry_after_s=retry_after)
        raise SourceError(f"{what}: HTTP {status} from {_host(url)}")


def get_json(client: httpx.Client, url: str, what: str, settings: DiscoverySettings,
             params: dict[str, Any] | None = None) -> Any:
    resp = get(client, url, what, settings, params)
    try:
        return resp.json()
    except ValueError:
        raise SourceError(f"{what}: {_host(url)} answered with something that is not JSON") from None


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def base(url: str) -> str:
    return url.rstrip("/")


# ------------------------------------------------------------------------------------------------
# Text
# ------------------------------------------------------------------------------------------------
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
               "article", "header", "footer", "blockquote", "pre", "hr"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str | None) -> str:
    """Plain text of an HTML fragment, keeping paragraph and list breaks (descriptions are parsed by line)."""
    if not markup:
        return ""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def decode_entities(text: str | None) -> str:
    """Greenhouse sends HTML as entity-encoded text (``&lt;p&gt;``), sometimes twice: unescape until stable."""
    value = text or ""
    for _ in range(3):
        decoded = html.unescape(value)
        if decoded == value:
            break
        value = decoded
    return value


_REMOTE = re.compile(r"\bremote\b|\banywhere\b|\bwork from home\b|\bwfh\b", re.I)
_HYBRID = re.compile(r"\bhybrid\b", re.I)
_ONSITE = re.compile(r"\bon[- ]?site\b|\bin[- ]office\b", re.I)


def workplace_from_text(*texts: str | None) -> str | None:
    """remote | hybrid | onsite from a location or workplace label, or None when it does not say."""
    joined = " ".join(t for t in texts if t)
    if not joined:
        return None
    if _HYBRID.search(joined):
        return "hybrid"
    if _REMOTE.search(joined):
        return "remote"
    if _ONSITE.search(joined):
        return "onsite"
    return None


#: Location strings that name only a work model, not a place.
WORK_MODEL_ONLY = re.compile(r"^\s*(remote|hybrid|on[- ]?site|anywhere|worldwide|global|work from home|wfh)"
                             r"(\s*[-(/,]?\s*(remote|hybrid|on[- ]?site|anywhere|worldwide|global))*\s*\)?\s*$", re.I)


def is_work_model_only(location: str | None) -> bool:
    return bool(location) and bool(WORK_MODEL_ONLY.match(location or ""))
