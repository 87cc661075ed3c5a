"""The application-page corpus (tests/corpus/forms/): serve it on loopback, fill each page, score it.

Each page ``<stem>.html`` has an answer sheet ``<stem>.json``: which ATS drew it, the controls never to
be filled (honeypots, captcha response fields), and per question the control's name, the question text
a person reads, whether it is required, and the expected answer:

* a string: what the control must show after filling (compared without case or extra spaces);
  ``file:resume`` the resume's file name; ``phone:<digits>`` the digits of the number;
  ``date:+<days>[:<format>]`` today plus that many days, ISO or in the format given (``mm/dd/yyyy``);
* ``true``/``false``: a single checkbox ticked or not;
* a list: any of these (``""`` meaning left as it was);
* ``"person"``: the profile does not answer it: left as it was (a person decides);
* ``"declined"``: left as it was, or the form's own "decline to answer" option.

:func:`run_page` does what the engine does up to the submit click (load, soft-block and wall checks,
ATS from the markup, discovery, answer sheet, fill and read back), without a database;
:func:`score_page` compares what the page shows with the sheet. Used by tests/e2e/test_form_corpus.py
and bench/forms.py.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "forms"
#: Paths the corpus's iframes load (served from the other loopback origin, so they are cross-origin).
FRAME_PATHS = {"/embed/job_app": "greenhouse_embed_frame.html", "/jobs/5512/candidate/apply": "icims_frame.html",
               "/forms/d/e/1FAIpQLSf_tarangini_replica/viewform": "google_forms.html"}
BLANK = "<!DOCTYPE html><html><head><title></title></head><body></body></html>"


@dataclass
class CorpusPage:
    stem: str
    sheet: dict[str, Any]

    @property
    def path(self) -> str:
        return f"/{self.stem}.html"


def load_corpus(names: list[str] | None = None) -> list[CorpusPage]:
    pages = []
    for sheet_path in sorted(CORPUS.glob("*.json")):
        if sheet_path.stem == "profile":
            continue
        if names and sheet_path.stem not in names:
            continue
        pages.append(CorpusPage(sheet_path.stem, json.loads(sheet_path.read_text(encoding="utf-8"))))
    return pages


def profile() -> dict[str, Any]:
    return json.loads((CORPUS / "profile.json").read_text(encoding="utf-8"))


class CorpusServer:
    """Serves the corpus on 127.0.0.1; the same server as ``localhost`` is the iframes' other origin.

    Assets a page names but the corpus does not hold (an ATS's stylesheet, a captcha script) are served
    empty, so nothing ever leaves the machine.
    """

    def __init__(self) -> None:
        server = self
        self.posts: list[tuple[str, bytes]] = []  # (path, body) of every submission

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0].split("#")[0]
                status, ctype, body = server.resolve(path)
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.posts.append((self.path, body))
                check = VALIDATORS.get(self.path.split("?")[0])
                status, ctype, text = (check(self.headers.get("Content-Type") or "", body) if check else
                                       (200, "text/html", "<html><body><h1>Thank you for applying!</h1></body></html>"))
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.frame_origin = f"http://localhost:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def resolve(self, path: str) -> tuple[int, str, str]:
        name = FRAME_PATHS.get(path) or path.lstrip("/")
        file = CORPUS / name
        if "/" not in name and file.is_file() and file.suffix in (".html", ".js"):
            text = file.read_text(encoding="utf-8")
            text = text.replace("__FRAME_ORIGIN__", self.frame_origin).replace("__PAGE_ORIGIN__", self.base)
            return 200, ("text/html; charset=utf-8" if file.suffix == ".html" else "application/javascript"), text
        if path.endswith(".js"):
            return 200, "application/javascript", ""
        if path.endswith(".css"):
            return 200, "text/css", ""
        if path.startswith(("/recaptcha/", "/hcaptcha/")):
            return 200, "text/html; charset=utf-8", BLANK
        return 404, "text/html", "<h1>not found</h1>"

    def url(self, page: CorpusPage) -> str:
        return self.base + page.path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _server_check(ctype: str, body: bytes) -> tuple[int, str, str]:
    """company_server_check's server-side validation: the phone in international format without spaces,
    the portfolio link at most 20 characters; 422 with a message per field, else 200."""
    from tests.support.apply_helpers import _parse_body

    got = {k: v[0] for k, v in _parse_body(ctype, body).items() if v}
    errors = {}
    if not re.fullmatch(r"\+[1-9]\d{7,14}", got.get("phone", "")):
        errors["phone"] = "Use the international format without spaces, e.g. +14155550123"
    if len(got.get("website", "")) > 20:
        errors["website"] = "Website must be at most 20 characters"
    return (422 if errors else 200), "application/json", json.dumps({"errors": errors} if errors else {"ok": True})


def _postback(ctype: str, body: bytes) -> tuple[int, str, str]:
    """company_postback's server: a mobile number that is not 10 digits gets the form drawn again (text
    values kept, the upload lost) with a message under it; otherwise a thank-you page."""
    import html

    from tests.support.apply_helpers import _parse_body

    got = {k: v[0] for k, v in _parse_body(ctype, body).items() if v}
    if re.fullmatch(r"[6-9]\d{9}", got.get("mobile", "")):
        return 200, "text/html", "<html><body><h1>Thank you for applying!</h1><p>We have received your application.</p></body></html>"
    page = (CORPUS / "company_postback.html").read_text(encoding="utf-8")
    for name in ("fname", "lname", "email", "mobile", "exp"):
        page = page.replace(f'name="{name}" value=""', f'name="{name}" value="{html.escape(got.get(name, ""))}"', 1)
    page = page.replace('<input id="mobile"', '<input id="mobile" aria-invalid="true" aria-describedby="mobile-error"', 1)
    page = page.replace("<!--MOBILE-ERROR-->", '<span class="error" id="mobile-error">Please enter a valid 10 digit mobile '
                                                 'number (without +91)</span>')
    page = page.replace("<!--ERRORS-->", '<div class="errors" role="alert">Please correct the errors below.</div>')
    return 200, "text/html; charset=utf-8", page


def _form_response(ctype: str, body: bytes) -> tuple[int, str, str]:
    """Google Forms' formResponse: the viewer's own page saying the response was recorded."""
    return 200, "text/html; charset=utf-8", (
        '<!DOCTYPE html><html><head><title>Data Engineer – Application (Tarangini Labs)</title></head>'
        '<body class="D8bnZd"><div class="teQAzf"><div class="N0gd6"><div role="heading" aria-level="1" class="F9yp7e">'
        'Data Engineer – Application (Tarangini Labs)</div><div class="vHW8K">Your response has been recorded.</div>'
        '<div class="c2gzEf"><a href="viewform?usp=form_confirm">Submit another response</a></div></div></div></body></html>')


#: Corpus pages whose server checks what is posted: path -> (content type, body) -> (status, type, text).
VALIDATORS = {"/company_server_check/submit": _server_check, "/company_postback/submit": _postback,
              "/forms/d/e/1FAIpQLSf_tarangini_replica/formResponse": _form_response}


@dataclass
class PageRun:
    """What the engine did on one corpus page."""

    stem: str
    ats: str = "generic"
    block: str | None = None  # a soft block or wall the page was (wrongly) taken for
    fields: list[Any] = field(default_factory=list)
    sheet: Any = None
    problems: list[str] = field(default_factory=list)
    before: dict[str, str | None] = field(default_factory=dict)  # field key -> value before filling
    after: dict[str, str | None] = field(default_factory=dict)
    never_filled: dict[str, str] = field(default_factory=dict)  # selector -> value it has after filling
    seconds: float = 0.0


def run_page(browser: Any, server: CorpusServer, page: CorpusPage, prof: dict[str, Any], docs: Any, *,
             form_timeout_s: float = 6.0, settle_s: float = 2.5, min_confidence: float = 0.7) -> PageRun:
    from core.apply_engine import forms, sites
    from core.apply_engine.adapters import adapter_for, ats_of, fingerprint, wall_for
    from core.apply_engine.answers import build_sheet
    from core.apply_engine.engine import answer_late_questions, fill_and_verify, probe

    t0 = time.monotonic()
    run = PageRun(page.stem)
    url = server.url(page)
    driver = browser.driver
    browser.open(url, 20)
    seen = probe(driver)
    wall = wall_for(seen["url"] or url, seen["text"], has_password=seen["password"], has_form=seen["form"])
    block = sites.classify(seen["status"], seen["text"], title=seen["title"], has_form=seen["form"],
                           has_password=seen["password"], captcha_frame=seen["captcha"])
    if wall or block:
        run.block = wall or (block.reason if block else None)
    ats = ats_of(url)
    adapter = adapter_for(url, fingerprint(driver) if ats == "generic" else None)
    run.ats = adapter.name
    fields = adapter.open_form(driver, form_timeout_s, settle_s=settle_s)
    run.fields = fields
    run.before = dict(zip([f.key for f in fields], forms.read_values(driver, fields)))
    run.sheet = build_sheet(fields, prof, docs, min_confidence=min_confidence)
    run.problems = fill_and_verify(adapter, driver, run.sheet)
    if not run.problems:  # as the engine does: questions the page added while it was being filled
        def before(new: list[Any]) -> None:
            run.before.update(zip([f.key for f in new], forms.read_values(driver, new)))

        late, run.problems = answer_late_questions(adapter, driver, run.sheet, prof, docs, min_confidence=min_confidence,
                                                   settle_s=settle_s, found_cb=before)
        fields = run.fields = fields + late
    run.after = dict(zip([f.key for f in fields], forms.read_values(driver, fields)))
    selectors = list(page.sheet.get("never_filled") or [])
    if selectors:
        driver.switch_to.default_content()
        got = driver.execute_script(
            "return arguments[0].map(s => { const e = document.querySelector(s);"
            " return e ? (e.type === 'file' ? Array.from(e.files || []).map(f => f.name).join(',') : (e.value || '')) : null; });",
            selectors)
        run.never_filled = {s: v for s, v in zip(selectors, got or []) if v}
    run.seconds = time.monotonic() - t0
    return run


def _key(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def _norm(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()


_DECLINE = re.compile(r"decline|prefer not|don.?t wish|not to (say|answer|disclose)|rather not", re.I)


@dataclass
class PageScore:
    stem: str
    questions: int = 0
    found: int = 0
    label_right: int = 0
    required_right: int = 0
    answer_right: int = 0
    wrong_answers: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)  # expected answers not given, and wrong labels/flags
    false_pause: bool = False
    ats_right: bool = True
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def score_page(page: CorpusPage, run: PageRun, resume_name: str) -> PageScore:
    sc = PageScore(page.stem, seconds=run.seconds, false_pause=run.block is not None,
                   ats_right=run.ats == page.sheet.get("ats", "generic"))
    if not sc.ats_right:
        sc.misses.append(f"ats: {run.ats!r}, expected {page.sheet.get('ats')!r}")
    if run.block:
        sc.misses.append(f"paused: {run.block}")
    by_name: dict[str, Any] = {}
    for f in run.fields:
        by_name.setdefault(f.name, f)
    answers = {a.key: a for a in run.sheet.answers} if run.sheet is not None else {}
    named = {q["name"] for q in page.sheet["questions"]}
    for q in page.sheet["questions"]:
        sc.questions += 1
        f = by_name.get(q["name"])
        if f is None:
            sc.misses.append(f"{q['name']}: not found")
            continue
        sc.found += 1
        if _key(f.label) == _key(q["question"]):
            sc.label_right += 1
        else:
            sc.misses.append(f"{q['name']}: question read as {f.label!r}")
        if bool(f.required) == bool(q["required"]):
            sc.required_right += 1
        else:
            sc.misses.append(f"{q['name']}: required read as {f.required}")
        before, after = run.before.get(f.key), run.after.get(f.key)
        changed = _norm(after) != _norm(before)
        verdict = _judge(q["expect"], f, after, changed, resume_name)
        ans = answers.get(f.key)
        shown = f"{after!r} (sheet: {getattr(ans, 'value', None)!r} from {getattr(ans, 'source', None)})"
        if verdict == "right":
            sc.answer_right += 1
        elif verdict == "wrong":
            sc.wrong_answers.append(f"{q['name']}: {shown}, expected {q['expect']!r}")
        else:
            sc.misses.append(f"{q['name']}: {shown}, expected {q['expect']!r}")
    ignored = set(page.sheet.get("ignored") or [])
    for f in run.fields:  # a control the sheet does not list must be left alone
        if f.name in named or f.role == "decoy":
            continue
        if _norm(run.after.get(f.key)) != _norm(run.before.get(f.key)):
            sc.wrong_answers.append(f"{f.name or f.key} (not a question{' of this form' if f.name in ignored else ''}): "
                                    f"filled with {run.after.get(f.key)!r}")
    for sel, value in run.never_filled.items():
        sc.wrong_answers.append(f"{sel} (hidden or honeypot): filled with {value!r}")
    return sc


def _judge(expect: Any, f: Any, after: str | None, changed: bool, resume_name: str) -> str:
    """right | wrong | missed"""
    got = _norm(after)
    if isinstance(expect, list):
        for e in expect:
            if (e == "" and not changed) or (e != "" and changed and got == _norm(e)):
                return "right"
        return "wrong" if changed else "missed"
    if expect == "person":
        return "wrong" if changed else "right"
    if expect == "declined":
        if not changed or _DECLINE.search(got):
            return "right"
        return "wrong"
    if isinstance(expect, bool):
        ticked = got == "true"
        if ticked == expect:
            return "right"
        return "wrong" if ticked else "missed"
    if not changed:
        return "missed"
    if expect == "file:resume":
        return "right" if resume_name.lower() in got else "wrong"
    if isinstance(expect, str) and expect.startswith("phone:"):
        return "right" if re.sub(r"\D", "", got) == expect[6:] else "wrong"
    if isinstance(expect, str) and expect.startswith("date:"):  # date:+N[:format]: today + N days
        import datetime as dt

        from core.apply_engine.answers import render_date

        _, offset, *fmt = expect.split(":")
        day = dt.date.today() + dt.timedelta(days=int(offset))
        return "right" if got == render_date(day, fmt[0] if fmt else "yyyy-mm-dd") else "wrong"
    return "right" if got == _norm(expect) else "wrong"


def totals(scores: list[PageScore]) -> dict[str, Any]:
    q = sum(s.questions for s in scores) or 1
    found = sum(s.found for s in scores) or 1
    return {
        "found_ratio": round(sum(s.found for s in scores) / q, 4),
        "label_ratio": round(sum(s.label_right for s in scores) / found, 4),
        "required_ratio": round(sum(s.required_right for s in scores) / found, 4),
        "answer_ratio": round(sum(s.answer_right for s in scores) / q, 4),
        "wrong_answers": sum(len(s.wrong_answers) for s in scores),
        "false_pauses": sum(1 for s in scores if s.false_pause),
        "ats_right": sum(1 for s in scores if s.ats_right),
        "s_per_form": round(sum(s.seconds for s in scores) / max(1, len(scores)), 3),
        "pages": len(scores),
        "questions": sum(s.questions for s in scores),
    }
