"""The sandbox job board: a real HTTP server on 127.0.0.1.

It serves Greenhouse-, Lever- and Ashby-shaped board APIs and an RSS feed, the application forms of
each ATS style, account walls (Workday, LinkedIn, Naukri), and records every submission (fields, file
names, sizes, SHA-256 of uploads, time, user agent) in memory and, given a directory, in
``submissions.jsonl``. Faults (429, 403, slow, closed, captcha, daily limit, dropped submit response)
are injected per job or per request so the apply engine and discovery can be tested against the ways
real sites fail.

Use it in-process (``with SandboxServer(port=0) as sb: sb.url``) or as ``talvix sandbox``.
A stdlib :class:`http.server.ThreadingHTTPServer` is enough: the point is real HTTP on a real socket,
including a connection that is closed without a response, which higher-level frameworks hide.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from core.safetext import clean
from sandbox import apis
from sandbox.faults import Fault, FaultBook, FaultError, normalise_kind
from sandbox.forms import ashby, common, generic, greenhouse, lever, status, walls
from sandbox.seed import FEED_NAME, Job, default_jobs
from sandbox.urls import api_urls, apply_url, job_page_url

MAX_BODY = 25 * 1024 * 1024
GH_FAMILY = ("greenhouse", "greenhouse_react")


class SandboxState:
    """Jobs, faults and recorded submissions, shared by all request threads."""

    def __init__(self, jobs: list[Job], data_dir: Path | None) -> None:
        self.jobs = jobs
        self.faults = FaultBook()
        self.data_dir = data_dir
        self._lock = threading.Lock()
        self._submissions: list[dict[str, Any]] = []
        self._rejected: list[dict[str, Any]] = []
        self._next_id = 1
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)

    # jobs
    def find(self, ats: tuple[str, ...], board: str, native_id: str | None = None) -> list[Job]:
        return [j for j in self.jobs if j.ats in ats and j.board == board
                and (native_id is None or j.native_id == native_id)]

    def by_key(self, key: str) -> Job:
        for j in self.jobs:
            if j.key == key or j.native_id == key:
                return j
        raise KeyError(f"no sandbox job {key!r}; known: {', '.join(j.key for j in self.jobs)}")

    # submissions
    def record(self, entry: dict[str, Any], accepted: bool) -> dict[str, Any]:
        with self._lock:
            entry = {"id": self._next_id, **entry}
            self._next_id += 1
            (self._submissions if accepted else self._rejected).append(entry)
            if self.data_dir is not None:
                name = "submissions.jsonl" if accepted else "rejected.jsonl"
                with open(self.data_dir / name, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            return entry

    def submissions(self, job: str | None = None, rejected: bool = False) -> list[dict[str, Any]]:
        with self._lock:
            rows = list(self._rejected if rejected else self._submissions)
        if job:
            rows = [r for r in rows if job in (r["job"], r["native_id"])]
        return rows

    def reset(self) -> None:
        with self._lock:
            self._submissions.clear()
            self._rejected.clear()
        self.faults.clear()


class _Respond(Exception):
    """Raised inside a route to end the request with a ready response."""

    def __init__(self, status: int, body: bytes | str = b"", ctype: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None, drop: bool = False) -> None:
        super().__init__(status)
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.ctype = ctype
        self.headers = headers or {}
        self.drop = drop


Route = tuple[str, re.Pattern[str], str, str]  # method, path pattern, handler method, request kind

_SEG = r"([^/]+)"
ROUTES: list[Route] = [
    ("GET", re.compile(r"/"), "r_index", "page"),
    # board APIs
    ("GET", re.compile(rf"/v1/boards/{_SEG}/?"), "r_gh_board", "api"),
    ("GET", re.compile(rf"/v1/boards/{_SEG}/jobs/?"), "r_gh_list", "api"),
    ("GET", re.compile(rf"/v1/boards/{_SEG}/jobs/{_SEG}/?"), "r_gh_detail", "api"),
    ("GET", re.compile(rf"/v0/postings/{_SEG}/?"), "r_lever_list", "api"),
    ("GET", re.compile(rf"/v0/postings/{_SEG}/{_SEG}/?"), "r_lever_detail", "api"),
    ("GET", re.compile(rf"/posting-api/job-board/{_SEG}/?"), "r_ashby_board", "api"),
    ("GET", re.compile(r"/rss/([^/]+)\.xml"), "r_rss", "api"),
    # Greenhouse legacy
    ("GET", re.compile(rf"/boards\.greenhouse\.io/{_SEG}/jobs/{_SEG}/?"), "r_gh_form", "page"),
    ("POST", re.compile(rf"/boards\.greenhouse\.io/{_SEG}/jobs/{_SEG}/application"), "r_submit", "submit"),
    ("GET", re.compile(rf"/boards\.greenhouse\.io/{_SEG}/jobs/{_SEG}/confirmation"), "r_gh_confirm", "page"),
    # Greenhouse React
    ("GET", re.compile(rf"/job-boards\.greenhouse\.io/{_SEG}/jobs/{_SEG}/?"), "r_ghr_form", "page"),
    ("POST", re.compile(rf"/job-boards\.greenhouse\.io/{_SEG}/jobs/{_SEG}/applications"), "r_submit", "submit"),
    ("GET", re.compile(rf"/job-boards\.greenhouse\.io/{_SEG}/jobs/{_SEG}/confirmation"), "r_ghr_confirm", "page"),
    # Lever
    ("GET", re.compile(rf"/jobs\.lever\.co/{_SEG}/{_SEG}/?"), "r_lever_page", "page"),
    ("GET", re.compile(rf"/jobs\.lever\.co/{_SEG}/{_SEG}/apply/?"), "r_lever_form", "page"),
    ("POST", re.compile(rf"/jobs\.lever\.co/{_SEG}/{_SEG}/apply/?"), "r_submit", "submit"),
    ("GET", re.compile(rf"/jobs\.lever\.co/{_SEG}/{_SEG}/thanks/?"), "r_lever_thanks", "page"),
    # Ashby
    ("POST", re.compile(rf"/jobs\.ashbyhq\.com/api/{_SEG}/{_SEG}/submit"), "r_submit", "submit"),
    ("GET", re.compile(rf"/jobs\.ashbyhq\.com/{_SEG}/{_SEG}/?"), "r_ashby_page", "page"),
    ("GET", re.compile(rf"/jobs\.ashbyhq\.com/{_SEG}/{_SEG}/application/?"), "r_ashby_form", "page"),
    # company careers site
    ("GET", re.compile(rf"/careers/{_SEG}/jobs/{_SEG}/?"), "r_generic_page", "page"),
    ("GET", re.compile(rf"/careers/{_SEG}/jobs/{_SEG}/apply/?"), "r_generic_form", "page"),
    ("GET", re.compile(rf"/careers/{_SEG}/jobs/{_SEG}/apply/links/?"), "r_generic_frame", "page"),
    ("POST", re.compile(rf"/careers/{_SEG}/jobs/{_SEG}/apply/?"), "r_submit", "submit"),
    ("GET", re.compile(rf"/careers/{_SEG}/jobs/{_SEG}/applied/?"), "r_generic_thanks", "page"),
    # account walls
    ("GET", re.compile(rf"/{_SEG}\.wd3\.myworkdayjobs\.com/en-US/External/job/{_SEG}/?"), "r_workday", "page"),
    ("GET", re.compile(rf"/{_SEG}\.wd3\.myworkdayjobs\.com/en-US/External/job/{_SEG}/apply/?"), "r_workday_apply",
     "page"),
    ("GET", re.compile(rf"/www\.linkedin\.com/jobs/view/{_SEG}/?"), "r_linkedin", "page"),
    ("POST", re.compile(r"/www\.linkedin\.com/checkpoint/lg/login-submit"), "r_linkedin_login", "control"),
    ("GET", re.compile(r"/www\.linkedin\.com/checkpoint/challenge/?"), "r_linkedin_challenge", "page"),
    ("GET", re.compile(r"/www\.naukri\.com/job-listings-([^/]+)"), "r_naukri", "page"),
    # control
    ("GET", re.compile(r"/_sandbox/health"), "r_health", "control"),
    ("GET", re.compile(r"/_sandbox/jobs"), "r_jobs", "control"),
    ("GET", re.compile(r"/_sandbox/submissions"), "r_submissions", "control"),
    ("POST", re.compile(r"/_sandbox/reset"), "r_reset", "control"),
    ("GET", re.compile(r"/_sandbox/faults"), "r_faults_list", "control"),
    ("POST", re.compile(r"/_sandbox/faults"), "r_faults_add", "control"),
    ("DELETE", re.compile(r"/_sandbox/faults(?:/(\d+))?"), "r_faults_clear", "control"),
    ("POST", re.compile(r"/_sandbox/faults/clear"), "r_faults_clear", "control"),
]


class SandboxHandler(BaseHTTPRequestHandler):
    """Routes one request. Faults are applied before the route runs (and after recording, for drops)."""

    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection frees its thread after a minute
    server_version = "TalvixSandbox/1"
    disable_nagle_algorithm = True  # headers and body are two writes; Nagle would add ~40 ms per request

    # --- plumbing -------------------------------------------------------------------------------------

    @property
    def state(self) -> SandboxState:
        return self.server.state

    @property
    def base(self) -> str:
        return self.server.base_url

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.log is not None:
            # A malformed request line is logged before command and path exist.
            what = f"{getattr(self, 'command', None) or '?'} {getattr(self, 'path', '') or ''}"
            self.server.log(f"{self.client_address[0]} {clean(what)} -> {clean(format % args)}")

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        self.path_only = unquote(parts.path) or "/"
        self.query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.body_bytes: bytes | None = None
        try:
            for m, pattern, name, kind in ROUTES:
                if m != method:
                    continue
                match = pattern.fullmatch(self.path_only)
                if match:
                    self.request_kind = kind
                    getattr(self, name)(*match.groups())
                    return
            if any(p.fullmatch(self.path_only) for _, p, _, _ in ROUTES):
                raise _Respond(405, "Method not allowed", "text/plain; charset=utf-8")
            if self.path_only.startswith(("/v1/", "/v0/", "/posting-api/", "/_sandbox/")):
                raise _Respond(404, json.dumps({"status": 404, "error": "Not Found"}), "application/json")
            raise _Respond(404, status.not_found_page())
        except _Respond as r:
            self._send(r)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _send(self, r: _Respond) -> None:
        if r.drop:
            # Close without a byte of response: what a dropped connection looks like to a browser.
            self.close_connection = True
            return
        self.send_response(r.status)
        self.send_header("Content-Type", r.ctype)
        self.send_header("Content-Length", str(len(r.body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in r.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(r.body)

    def _html(self, text: str, status: int = 200) -> None:
        raise _Respond(status, text)

    def _json(self, data: Any, status: int = 200) -> None:
        raise _Respond(status, json.dumps(data, ensure_ascii=False), "application/json; charset=utf-8")

    def _read_body(self) -> bytes:
        if self.body_bytes is None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise _Respond(413, "Request too large", "text/plain; charset=utf-8")
            self.body_bytes = self.rfile.read(length) if length else b""
        return self.body_bytes

    # --- faults ---------------------------------------------------------------------------------------

    def _query_fault(self, job: Job | None) -> Fault | None:
        kind = self.query.get("fault")
        if not kind:
            return None
        try:
            fault = Fault(0, normalise_kind(kind), scope="any")
            fault.delay_ms = int(self.query.get("delay_ms", 3000))
            fault.retry_after = int(self.query.get("retry_after", 30))
            fault.mode = self.query.get("mode", "close")
        except (FaultError, ValueError) as exc:
            raise _Respond(400, f"bad fault parameter: {exc}", "text/plain; charset=utf-8") from exc
        return fault

    def _faults(self, job: Job | None, board: str | None = None, ats: str | None = None) -> list[Fault]:
        """Apply faults to this request; returns the drop_submit faults for the submit route to honour."""
        kind = self.request_kind
        ids = (job.key, job.native_id) if job else ()
        board = board if board is not None else (job.board if job else None)
        ats = ats if ats is not None else (job.ats if job else None)
        hits = self.state.faults.take(kind, ids, board, ats)
        qf = self._query_fault(job)
        if qf is not None and (qf.kind != "drop_submit" or kind == "submit"):
            hits.append(qf)
        api = kind == "api"
        for f in sorted(hits, key=lambda f: f.kind != "slow"):
            if f.kind == "slow":
                time.sleep(f.delay_ms / 1000)
            elif f.kind == "closed":
                if api or (self.command == "POST" and job and job.ats in ("greenhouse_react", "ashby")):
                    self._json({"status": 404, "error": "Job not found"}, 404)
                self._html(status.closed_page(job), 404)
            elif f.kind == "429":
                headers = {"Retry-After": str(f.retry_after)}
                if api:
                    raise _Respond(429, json.dumps({"status": 429, "error": "Too Many Requests"}),
                                   "application/json", headers)
                raise _Respond(429, status.rate_limited_page(f.retry_after), headers=headers)
            elif f.kind == "403":
                if api:
                    self._json({"status": 403, "error": "Forbidden"}, 403)
                self._html(status.blocked_page(), 403)
            elif f.kind == "captcha":
                self._html(status.captcha_page())
            elif f.kind == "daily_limit":
                self._html(status.daily_limit_page())
        return [f for f in hits if f.kind == "drop_submit"]

    def _action_query(self) -> str:
        """Carry a per-request ``fault=drop_submit`` from the form page to the form's submit URL."""
        kind = self.query.get("fault")
        if kind and normalise_kind(kind) == "drop_submit":
            mode = "blank" if self.query.get("mode") == "blank" else "close"
            return f"?fault=drop_submit&mode={mode}"
        return ""

    # --- lookups --------------------------------------------------------------------------------------

    def _job(self, ats: tuple[str, ...], board: str, native_id: str) -> Job:
        found = self.state.find(ats, board, native_id)
        if not found:
            if self.request_kind == "api":
                self._json({"status": 404, "error": "Job not found"}, 404)
            self._html(status.not_found_page(), 404)
        return found[0]

    def _board(self, ats: tuple[str, ...], board: str, error: dict[str, Any]) -> list[Job]:
        found = self.state.find(ats, board)
        if not found:
            self._json(error, 404)
        self._faults(None, board=board, ats=found[0].ats)
        return [j for j in found if not self.state.faults.is_closed((j.key, j.native_id), j.board, j.ats)]

    # --- routes: index and APIs -----------------------------------------------------------------------

    def r_index(self) -> None:
        self._html(status.index_page(self.base, self.state.jobs))

    def r_gh_board(self, board: str) -> None:
        jobs = self._board(GH_FAMILY, board, {"status": 404, "error": "Job board not found"})
        self._json({"name": jobs[0].company.name if jobs else board,
                    "content": f"<p>{jobs[0].company.about}</p>" if jobs else ""})

    def r_gh_list(self, board: str) -> None:
        jobs = self._board(GH_FAMILY, board, {"status": 404, "error": "Job board not found"})
        content = self.query.get("content", "").lower() == "true"
        self._json(apis.greenhouse_list(self.base, jobs, content))

    def r_gh_detail(self, board: str, jid: str) -> None:
        if not self.state.find(GH_FAMILY, board):
            self._json({"status": 404, "error": "Job board not found"}, 404)
        job = self._job(GH_FAMILY, board, jid)
        self._faults(job)
        self._json(apis.greenhouse_detail(self.base, job, self.query.get("questions", "").lower() == "true"))

    def r_lever_list(self, site: str) -> None:
        jobs = self._board(("lever",), site, {"ok": False, "error": "Document not found"})
        self._json([apis.lever_posting(self.base, j) for j in jobs if j.listed])

    def r_lever_detail(self, site: str, pid: str) -> None:
        if not self.state.find(("lever",), site):
            self._json({"ok": False, "error": "Document not found"}, 404)
        found = self.state.find(("lever",), site, pid)
        if not found:
            self._json({"ok": False, "error": "Document not found"}, 404)
        self._faults(found[0])
        self._json(apis.lever_posting(self.base, found[0]))

    def r_ashby_board(self, board: str) -> None:
        jobs = self._board(("ashby",), board, {"success": False, "error": "Job board not found"})
        comp = self.query.get("includeCompensation", "").lower() == "true"
        self._json(apis.ashby_board(self.base, jobs, comp))

    def r_rss(self, feed: str) -> None:
        if feed == FEED_NAME:
            jobs = [j for j in self.state.jobs if j.ats in ("workday", "linkedin", "naukri")
                    or j.key == "generic-analyst"]
            title = "Remote and India jobs (sandbox aggregator)"
        else:
            jobs = [j for j in self.state.jobs if j.ats == "generic" and j.board == feed]
            title = f"{jobs[0].company.name} careers" if jobs else ""
        if not jobs:
            raise _Respond(404, "feed not found", "text/plain; charset=utf-8")
        self._faults(None, board=feed, ats="rss")
        jobs = [j for j in jobs if not self.state.faults.is_closed((j.key, j.native_id), j.board, j.ats)]
        raise _Respond(200, apis.rss_feed(self.base, feed, title, jobs), "application/rss+xml; charset=utf-8")

    # --- routes: pages --------------------------------------------------------------------------------

    def _page(self, ats: tuple[str, ...], board: str, jid: str, render: Callable[[Job], str]) -> None:
        job = self._job(ats, board, jid)
        self._faults(job)
        self._html(render(job))

    def r_gh_form(self, board: str, jid: str) -> None:
        self._page(("greenhouse",), board, jid,
                   lambda j: greenhouse.greenhouse_legacy(self.base, j, self._action_query()))

    def r_gh_confirm(self, board: str, jid: str) -> None:
        self._page(("greenhouse",), board, jid, greenhouse.greenhouse_confirmation)

    def r_ghr_form(self, board: str, jid: str) -> None:
        self._page(("greenhouse_react",), board, jid,
                   lambda j: greenhouse.greenhouse_react(self.base, j, self._action_query()))

    def r_ghr_confirm(self, board: str, jid: str) -> None:
        self._page(("greenhouse_react",), board, jid, greenhouse.greenhouse_react_confirmation)

    def r_lever_page(self, site: str, pid: str) -> None:
        self._page(("lever",), site, pid, lambda j: lever.lever_posting_page(self.base, j))

    def r_lever_form(self, site: str, pid: str) -> None:
        self._page(("lever",), site, pid, lambda j: lever.lever_form(self.base, j, self._action_query()))

    def r_lever_thanks(self, site: str, pid: str) -> None:
        self._page(("lever",), site, pid, lever.lever_thanks)

    def r_ashby_page(self, board: str, jid: str) -> None:
        self._page(("ashby",), board, jid, lambda j: ashby.ashby_posting_page(self.base, j))

    def r_ashby_form(self, board: str, jid: str) -> None:
        delay = int(self.query.get("render_ms", 300)) if self.query.get("render_ms", "").isdigit() else 300
        self._page(("ashby",), board, jid, lambda j: ashby.ashby_form(self.base, j, self._action_query(), delay))

    def r_generic_page(self, board: str, jid: str) -> None:
        self._page(("generic",), board, jid, lambda j: generic.generic_posting_page(self.base, j))

    def r_generic_form(self, board: str, jid: str) -> None:
        self._page(("generic",), board, jid, lambda j: generic.generic_form(self.base, j, self._action_query()))

    def r_generic_frame(self, board: str, jid: str) -> None:
        self._page(("generic",), board, jid, generic.generic_links_frame)

    def r_generic_thanks(self, board: str, jid: str) -> None:
        self._page(("generic",), board, jid, lambda j: generic.generic_thanks(j, self.query.get("ref", "")))

    def r_workday(self, company: str, jid: str) -> None:
        self._page(("workday",), company, jid, walls.workday_job)

    def r_workday_apply(self, company: str, jid: str) -> None:
        self._page(("workday",), company, jid, walls.workday_signin)

    def r_linkedin(self, jid: str) -> None:
        found = [j for j in self.state.jobs if j.ats == "linkedin" and j.native_id == jid]
        if not found:
            self._html(status.not_found_page(), 404)
        self._faults(found[0])
        self._html(walls.linkedin_job(found[0]))

    def r_linkedin_login(self) -> None:
        self._read_body()
        raise _Respond(303, b"", headers={"Location": "/www.linkedin.com/checkpoint/challenge/"})

    def r_linkedin_challenge(self) -> None:
        self._html(walls.linkedin_challenge())

    def r_naukri(self, jid: str) -> None:
        found = [j for j in self.state.jobs if j.ats == "naukri" and j.native_id == jid]
        if not found:
            self._html(status.not_found_page(), 404)
        self._faults(found[0])
        self._html(walls.naukri_job(found[0]))

    # --- submission -----------------------------------------------------------------------------------

    def r_submit(self, board: str, jid: str) -> None:
        prefix = self.path_only.split("/")[1]
        ats = {"boards.greenhouse.io": ("greenhouse",), "job-boards.greenhouse.io": ("greenhouse_react",),
               "jobs.lever.co": ("lever",), "jobs.ashbyhq.com": ("ashby",), "careers": ("generic",)}[prefix]
        job = self._job(ats, board, jid)
        drops = self._faults(job)
        fields, files = self._parse_form()
        specs = common.field_specs(job)
        missing = [s.label for s in specs if s.required and not self._present(s, fields, files)]
        entry = {
            "job": job.key, "native_id": job.native_id, "ats": job.ats, "board": job.board,
            "company": job.company.name, "title": job.title, "path": self.path_only,
            "received_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "user_agent": self.headers.get("User-Agent", ""), "fields": fields,
            "files": [{k: v for k, v in f.items() if k != "data"} for f in files],
            "answers": self._answers(specs, fields, files),
        }
        if missing:
            entry["missing"] = missing
            self.state.record(entry, accepted=False)
            self._reject(job, missing)
        record = self.state.record(entry, accepted=True)
        if drops:
            if drops[0].mode == "blank":
                raise _Respond(200, b"", "text/html; charset=utf-8")
            raise _Respond(0, drop=True)
        self._confirm(job, record)

    def _present(self, spec: common.FieldSpec, fields: dict[str, Any], files: list[dict[str, Any]]) -> bool:
        if spec.kind == "file":
            return any(f["field"] == spec.name and f["size"] > 0 for f in files)
        value = fields.get(spec.name)
        if isinstance(value, list):
            return any(str(v).strip() for v in value)
        return bool(str(value or "").strip())

    def _answers(self, specs: list[common.FieldSpec], fields: dict[str, Any],
                 files: list[dict[str, Any]]) -> dict[str, Any]:
        """What a person reading the application would see: label -> chosen text (files by name)."""
        out: dict[str, Any] = {}
        for s in specs:
            if s.kind == "file":
                names = [f["filename"] for f in files if f["field"] == s.name]
                if names:
                    out[s.label] = names[0]
                continue
            value = fields.get(s.name)
            if value in (None, "", []):
                continue
            if isinstance(value, list):
                out[s.label] = [s.text_for(v) for v in value]
            else:
                out[s.label] = s.text_for(value)
        return out

    def _reject(self, job: Job, missing: list[str]) -> None:
        msg = "Please fill in the required fields: " + ", ".join(missing)
        if job.ats in ("greenhouse_react", "ashby"):
            self._json({"success": False, "errors": [f"{m} is required" for m in missing]}, 422)
        if job.ats == "greenhouse":
            self._html(greenhouse.greenhouse_legacy(self.base, job, error=msg), 422)
        self._html(common.page("There was a problem", f'<div class="wrap"><h1>There was a problem with your '
                              f'application</h1><p class="error">{common.e(msg)}</p></div>'), 422)

    def _confirm(self, job: Job, record: dict[str, Any]) -> None:
        page = job_page_url("", job)
        if job.ats == "greenhouse":
            raise _Respond(303, b"", headers={"Location": page + "/confirmation"})
        if job.ats == "lever":
            raise _Respond(303, b"", headers={"Location": page + "/thanks"})
        if job.ats == "generic":
            raise _Respond(303, b"", headers={"Location": f"{page}/applied?ref=SA-APP-{record['id']:05d}"})
        self._json({"success": True, "applicationId": f"app-{record['id']}"})

    def _parse_form(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Fields (name -> value, or list for repeated names) and uploaded files (name, size, hash)."""
        body = self._read_body()
        ctype = self.headers.get("Content-Type", "")
        fields: dict[str, Any] = {}
        files: list[dict[str, Any]] = []

        def put(name: str, value: str) -> None:
            if name in fields:
                prev = fields[name]
                fields[name] = (prev if isinstance(prev, list) else [prev]) + [value]
            else:
                fields[name] = value

        if ctype.startswith("multipart/form-data"):
            msg = BytesParser(policy=HTTP).parsebytes(
                b"MIME-Version: 1.0\r\nContent-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body)
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if not name:
                    continue
                filename = part.get_filename()
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                if filename is not None:
                    if filename == "" and not data:
                        continue  # an empty file input
                    files.append({"field": str(name), "filename": filename, "size": len(data),
                                  "content_type": part.get_content_type(),
                                  "sha256": hashlib.sha256(data).hexdigest()})
                else:
                    charset = part.get_content_charset() or "utf-8"
                    put(str(name), data.decode(charset, errors="replace"))
        else:
            for name, values in parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True).items():
                for v in values:
                    put(name, v)
        return fields, files

    # --- control --------------------------------------------------------------------------------------

    def r_health(self) -> None:
        self._json({"ok": True, "url": self.base})

    def r_jobs(self) -> None:
        self._json([self.server.describe(j) for j in self.state.jobs])

    def r_submissions(self) -> None:
        rejected = self.query.get("rejected", "").lower() in ("1", "true")
        self._json(self.state.submissions(self.query.get("job") or None, rejected))

    def r_reset(self) -> None:
        self._read_body()
        self.state.reset()
        self._json({"ok": True})

    def r_faults_list(self) -> None:
        self._json(self.state.faults.listing())

    def r_faults_add(self) -> None:
        try:
            data = json.loads(self._read_body() or b"{}")
        except json.JSONDecodeError:
            self._json({"error": "body must be JSON: a fault object or a list of them"}, 400)
        specs = data if isinstance(data, list) else [data]
        try:
            added = [self.state.faults.add(s).to_json() for s in specs]
        except FaultError as exc:
            self._json({"error": str(exc)}, 400)
        self._json(added if isinstance(data, list) else added[0], 201)

    def r_faults_clear(self, fid: str | None = None) -> None:
        self._read_body()
        removed = self.state.faults.clear(int(fid) if fid else None)
        self._json({"removed": removed})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a browser's idle keep-alive connection must not hold up shutdown
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], state: SandboxState, log: Callable[[str], None] | None) -> None:
        super().__init__(addr, SandboxHandler)
        self.state = state
        self.log = log
        self.base_url = f"http://{addr[0]}:{self.server_address[1]}"

    def describe(self, job: Job) -> dict[str, Any]:
        return {"key": job.key, "ats": job.ats, "board": job.board, "native_id": job.native_id,
                "company": job.company.name, "title": job.title, "location": job.location,
                "listed": job.listed, "url": job_page_url(self.base_url, job),
                "apply_url": apply_url(self.base_url, job)}


class SandboxServer:
    """The sandbox job board on 127.0.0.1, in a background thread (or the foreground for the CLI).

    ``port=0`` picks a free port; ``data_dir`` (optional) receives ``submissions.jsonl``.
    """

    HOST = "127.0.0.1"

    def __init__(self, port: int = 0, data_dir: str | Path | None = None, jobs: list[Job] | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        self.state = SandboxState(jobs if jobs is not None else default_jobs(),
                                  Path(data_dir) if data_dir is not None else None)
        self._httpd = _Server((self.HOST, port), self.state, log)
        self._thread: threading.Thread | None = None

    # lifecycle
    @property
    def url(self) -> str:
        return self._httpd.base_url

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def start(self) -> SandboxServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                            name=f"sandbox-{self.port}", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`stop` or KeyboardInterrupt (the CLI's mode)."""
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # jobs and URLs
    @property
    def jobs(self) -> list[Job]:
        return self.state.jobs

    def job(self, key: str) -> Job:
        return self.state.by_key(key)

    def page_url(self, key: str) -> str:
        return job_page_url(self.url, self.job(key))

    def apply_url(self, key: str) -> str:
        return apply_url(self.url, self.job(key))

    def describe(self, key: str) -> dict[str, Any]:
        return self._httpd.describe(self.job(key))

    def api_urls(self) -> dict[str, str]:
        return api_urls(self.url)

    def sources(self) -> list[dict[str, str]]:
        """Every board with its discovery source id (``greenhouse:BOARD`` ...) and its API URL."""
        out: list[dict[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for j in self.jobs:
            kind = {"greenhouse": "greenhouse", "greenhouse_react": "greenhouse", "lever": "lever",
                    "ashby": "ashby", "generic": "rss"}.get(j.ats)
            if kind is None or (kind, j.board) in seen:
                continue
            seen.add((kind, j.board))
            api = {"greenhouse": f"{self.url}/v1/boards/{j.board}/jobs?content=true",
                   "lever": f"{self.url}/v0/postings/{j.board}?mode=json",
                   "ashby": f"{self.url}/posting-api/job-board/{j.board}?includeCompensation=true",
                   "rss": f"{self.url}/rss/{j.board}.xml"}[kind]
            out.append({"source": f"{kind}:{j.board}" if kind != "rss" else f"rss:{api}", "ats": j.ats,
                        "company": j.company.name, "api": api})
        feed = f"{self.url}/rss/{FEED_NAME}.xml"
        out.append({"source": f"rss:{feed}", "ats": "rss", "company": "aggregator (Workday, LinkedIn, Naukri)",
                    "api": feed})
        return out

    # submissions and faults
    def submissions(self, job: str | None = None, rejected: bool = False) -> list[dict[str, Any]]:
        return self.state.submissions(job, rejected)

    def reset(self) -> None:
        self.state.reset()

    def add_fault(self, kind: str, **options: Any) -> dict[str, Any]:
        """Switch a fault on, e.g. ``add_fault("429", job="gh-backend", times=1)``; returns it as JSON."""
        return self.state.faults.add({"kind": kind, **options}).to_json()

    def clear_faults(self) -> int:
        return self.state.faults.clear()
