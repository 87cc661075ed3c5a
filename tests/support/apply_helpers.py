"""Small loopback pages for the apply engine's tests (the sandbox job board covers the ATS shapes).

``PageServer`` serves HTML by path on 127.0.0.1 and records every POST, so a test can count real
submissions. A page may be a string, or a callable ``(handler) -> (status, html)``; ``hang`` paths accept
the POST, record it and then never answer (a dropped submit response).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

Page = str | Callable[[BaseHTTPRequestHandler], tuple[int, str]]


class PageServer:
    def __init__(self, pages: dict[str, Page] | None = None) -> None:
        self.pages: dict[str, Page] = dict(pages or {})
        self.posts: list[dict[str, Any]] = []
        self.hang: set[str] = set()
        self.release = threading.Event()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: str, ctype: str = "text/html; charset=utf-8",
                      headers: dict[str, str] | None = None) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                page = server.pages.get(path)
                if page is None:
                    self._send(404, "<h1>not found</h1>")
                    return
                status, body = page(self) if callable(page) else (200, page)
                self._send(status, body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                fields = _parse_body(self.headers.get("Content-Type") or "", raw)
                with server.lock:
                    server.posts.append({"path": path, "fields": fields, "raw": raw})
                if path in server.hang:
                    server.release.wait(60)
                    self.close_connection = True
                    return
                target = server.pages.get(path + ":post")
                if target is None:
                    self._send(303, "", headers={"Location": path.rstrip("/") + "/thanks"})
                    return
                status, body = target(self) if callable(target) else (200, target)
                self._send(status, body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def submissions(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [p for p in self.posts if p["path"] == path]

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _parse_body(ctype: str, raw: bytes) -> dict[str, list[str]]:
    if ctype.startswith("application/x-www-form-urlencoded"):
        return {k: v for k, v in parse_qs(raw.decode(errors="replace"), keep_blank_values=True).items()}
    if ctype.startswith("multipart/form-data"):
        from email.parser import BytesParser
        from email.policy import HTTP

        msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
        out: dict[str, list[str]] = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            value = f"file:{filename}:{len(payload)}" if filename else payload.decode(errors="replace")
            out.setdefault(str(name), []).append(value)
        return out
    return {}


def page(title: str, body: str, script: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body>{body}{f'<script>{script}</script>' if script else ''}</body></html>")


def company_form(action: str = "/apply", *, knockout: bool = False, extra: str = "") -> str:
    """A small company form using every labelling style the generic adapter must read."""
    ko = ('<div><label for="clearance">Do you hold an active security clearance? *</label>'
          '<select id="clearance" name="clearance" required><option value="">Select</option>'
          '<option>Yes</option><option>No</option></select></div>') if knockout else ""
    body = (
        f'<h1>Apply</h1><form method="post" action="{action}" enctype="multipart/form-data">'
        '<div><label for="first">First name *</label><input id="first" name="first_name" required></div>'
        '<div><label>Last name * <input name="last_name" required></label></div>'
        '<div><span id="em">Email *</span><input type="email" name="email" aria-labelledby="em" required></div>'
        '<div><p>Phone</p><input type="tel" name="phone"></div>'
        '<div><label for="notice">Notice period *</label><select id="notice" name="notice" required>'
        '<option value="">Select</option><option>Immediate</option><option>30 days</option><option>60 days</option></select></div>'
        '<fieldset><legend>Are you legally authorized to work in India? *</legend>'
        '<label><input type="radio" name="auth" value="y" required> Yes</label>'
        '<label><input type="radio" name="auth" value="n"> No</label></fieldset>'
        '<div><label for="gender">Gender</label><select id="gender" name="gender"><option value="">Select</option>'
        '<option>Male</option><option>Female</option><option>Decline to self-identify</option></select></div>'
        '<div><label for="salary">Expected salary</label><input id="salary" name="salary"></div>'
        '<div><label for="cv">Resume *</label><input type="file" id="cv" name="cv" required></div>'
        f'{ko}{extra}'
        '<div><label><input type="checkbox" name="truth" required> I certify the above is true.</label></div>'
        '<button type="submit">Submit application</button></form>'
    )
    return page("Apply", body)


THANKS = page("Thanks", "<h1>Thank you for applying!</h1><p class='success'>Your application has been received.</p>")

PROFILE_TOML = """
[identity]
first_name = "Asha"
last_name = "Raman"
email = "asha@example.com"
phone = "+91 98450 00000"
location = "Bengaluru"

[links]
linkedin = "https://www.linkedin.com/in/asha-raman"
github = "https://github.com/asharaman"

[work]
current_company = "Acme Analytics"
current_title = "Data Engineer"
authorized_to_work = true
needs_sponsorship = false
notice_period_days = 30
current_ctc_lpa = 18
years_experience = 5
relocate_to = ["Chennai", "Pune"]

[skills_years]
Python = 5
SQL = 4

[[education]]
institution = "College of Engineering, Guindy"
degree = "B.Tech"
field = "Information Technology"

[answers]
"How did you hear about us?" = "Company website"
"""


def profile_dict() -> dict[str, Any]:
    import tomllib

    return tomllib.loads(PROFILE_TOML)


def tune(settings: Any, **apply: Any) -> Any:
    """Test settings: no minimum interval between sessions, short waits (a test's pages are instant)."""
    from core.config import SiteSettings

    settings.sites = {"default": SiteSettings(min_interval_seconds=0, daily_cap=1000, daily_cap_per_candidate=1000)}
    settings.apply.confirm_timeout_s = apply.pop("confirm_timeout_s", 4.0)
    settings.apply.form_timeout_s = apply.pop("form_timeout_s", 4.0)
    for k, v in apply.items():
        setattr(settings.apply, k, v)
    return settings


def make_application(db: Any, settings: Any, url: str, *, profile: dict[str, Any] | None = None,
                     policy: str = "never", email: str = "asha@example.com") -> dict[str, int]:
    """A candidate with a stored resume, a job at ``url`` and their application (status ready)."""
    import hashlib

    from core.applications import create_application
    from core.candidates.store import save_candidate
    from core.crypto import load_cipher
    from core.jobs.store import site_of, upsert_job
    from core.storage import Storage

    prof = profile or profile_dict()
    prof = {**prof, "identity": {**prof["identity"], "email": email}}
    storage = Storage(settings.storage_path)
    storage.ensure()
    data = b"%PDF-1.4\n% Asha Raman resume\n"
    cipher = load_cipher(settings)
    with db.transaction() as conn:
        cand, _ = save_candidate(db, cipher, prof, apply_policy=policy, conn=conn)
    stored = storage.write("parsed-resumes", f"candidate-{cand}-resume.pdf", data=data)
    with db.transaction() as conn:
        save_candidate(db, cipher, prof, resume_path=stored.relpath, resume_sha256=hashlib.sha256(data).hexdigest(),
                       apply_policy=policy, conn=conn)
        job, _ = upsert_job(conn, {"canonical_key": f"test:{url}", "source": "test", "url": url, "apply_url": url,
                                   "site": site_of(url)})
        app, _ = create_application(conn, cand, job, status="ready")
    return {"candidate_id": cand, "job_id": job, "application_id": app}


def engine_request(db: Any, settings: Any, ids: dict[str, int], *, submit: bool = True, policy: str = "never",
                   approved: bool = False, edits: dict[str, Any] | None = None, task: Any = None,
                   runner_id: str = "test-runner") -> Any:
    """The same request the apply agent builds, for driving the engine directly."""
    from core.applications import get_application
    from core.apply_engine.engine import ApplyRequest, resolve_documents
    from core.candidates.store import candidate_profile
    from core.crypto import load_cipher
    from core.jobs.store import get_job, site_of
    from core.storage import Storage

    app = get_application(db, ids["application_id"])
    job = get_job(db, ids["job_id"])
    cand = db.one("SELECT resume_path FROM candidates WHERE id = %s", (ids["candidate_id"],))
    return ApplyRequest(
        application_id=app["id"], url=job["apply_url"], profile=candidate_profile(db, load_cipher(settings), ids["candidate_id"]),
        documents=resolve_documents(Storage(settings.storage_path), app["documents"], cand["resume_path"]),
        candidate_id=ids["candidate_id"], job_id=ids["job_id"], site=site_of(job["apply_url"]), submit=submit,
        policy=policy, approved=approved, edits=edits or {}, task=task, runner_id=runner_id)
