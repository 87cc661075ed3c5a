"""Hostile inputs: a table of bad inputs across every ``talvix`` command (issue 11).

Each case runs the real ``talvix`` command in a subprocess against a throw-away embedded Postgres (as the
tests do), bounded by a deadline, and is classified by what the user sees:

- ``clear``     a non-zero exit and one ``talvix...: error: ...`` line (for an argparse usage error one
                ``usage:`` line comes before it: two lines), no traceback, not the generic "unexpected"
                line; where a case says what the line must name (``want``), it names it
- ``traceback`` a Python traceback anywhere in the output
- ``generic``   the catch-all ``unexpected ...`` line, or an error that is not one line (noise before it)
- ``hang``      still running at the deadline (killed with its process group)
- ``silent``    exit 0 on an input that should have been refused
- ``accepted``  exit 0 on an input whose acceptance is documented (e.g. a UTF-16 resume)
- ``leak``      any of the case's secrets (a password's parts) in the output, whatever else happened

Peak memory is the largest ``ru_maxrss`` of any case (``os.wait4`` of the child, which includes its
waited-for descendants). Linux counts a child's RSS from before its ``exec`` too (the fork's copy of
this process), so this process stays small: the database and the files are set up by a child
(``--setup``), and only the standard library is imported here; the floor is ~15 MB. Loopback only: the discovery cases use servers on 127.0.0.1 started here.

    python bench/hostile.py [--only SUBSTRING] [--verbose]

Prints one line per case, then one JSON object (the last line): cases, clear, tracebacks, generic,
hangs, silent, accepted, leaks, peak_mb, peak_case, seconds, failures (the cases that are not clear/accepted).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on sys.path, and bench/queue.py would shadow the stdlib's queue.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sandbox import raw  # noqa: E402


def talvix_module() -> str:
    """The CLI module: ``cli.main`` after the layout move (issue 9), ``runners.cli`` before it."""
    for name in ("cli.main", "runners.cli"):
        try:
            if importlib.util.find_spec(name) is not None:
                return name
        except ModuleNotFoundError:
            continue
    raise SystemExit("no talvix CLI module found (cli.main or runners.cli)")


@dataclass
class Case:
    name: str
    args: list[str]
    expect: str = "refuse"  # or "accept" (a documented acceptance)
    deadline: float = 30.0
    env: dict[str, str] = field(default_factory=dict)
    stdin: str | None = None
    secrets: tuple[str, ...] = ()  # strings that must never appear in the output (a password's parts)
    want: str | None = None  # a regex the error line must match to be "clear" (it names the real problem)


@dataclass
class Result:
    case: Case
    kind: str
    rc: int | None
    seconds: float
    maxrss_mb: float
    line: str


# --- files -------------------------------------------------------------------------------------------

RESUME = """ASHA RAO
Bengaluru | asha.rao@example.com | +91 98450 12345

Experience
Software Engineer, Acme, Bengaluru   Jan 2020 - Present
- Built Python services

Education
B.Tech, IIT Madras, 2015 - 2019

Skills
Python, Postgres
"""


def _docx_bytes(document_xml: bytes | None = None, *, bomb_mb: int = 0) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        if bomb_mb:
            with zf.open("word/document.xml", "w", force_zip64=True) as fh:
                chunk = b" " * (1 << 20)
                for _ in range(bomb_mb):
                    fh.write(chunk)
        else:
            zf.writestr("word/document.xml", document_xml or b"")
    return buf.getvalue()


def _pdf_with_stream(mb: int) -> bytes:
    """A minimal PDF whose one content stream is ``mb`` MB of spaces compressed with FlateDecode."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(comp.compress(chunk) for _ in range(mb)) + comp.flush()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def make_files(d: Path) -> dict[str, Path]:
    f: dict[str, Path] = {}

    def put(name: str, data: bytes | str) -> Path:
        p = d / name
        p.write_bytes(data.encode() if isinstance(data, str) else data)
        f[name] = p
        return p

    put("resume.txt", RESUME)
    put("empty.txt", b"")
    put("blank.txt", " \n\t\n" * 100)
    put("binary.txt", os.urandom(64 << 10))
    put("random.pdf", os.urandom(32 << 10))
    put("text-as.pdf", RESUME)
    put("truncated.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    put("pdf-bomb.pdf", _pdf_with_stream(1024))
    put("random.docx", os.urandom(32 << 10))
    put("empty-zip.docx", _docx_bytes(b""))
    put("zip-bomb.docx", _docx_bytes(bomb_mb=1024))
    put("no-ext", RESUME)
    put("resume.exe", RESUME)
    put("utf16.txt", RESUME.encode("utf-16"))
    put("latin1.txt", RESUME.replace("ASHA", "ÅSHA").encode("latin-1"))
    put("nul.txt", RESUME.replace("Skills", "Ski\x00lls"))
    put("huge.txt", (RESUME + "Python " * 2000 + "\n") * 2500)  # ~36 MB
    put("one-line.txt", "x" * (5 << 20))
    (d / "adir").mkdir()  # the names hold no "folder": the message must say it, not the path
    f["folder"] = d / "adir"
    (d / "adir.pdf").mkdir()
    f["folder.pdf"] = d / "adir.pdf"
    # profile files
    put("p-ok.toml", '[identity]\nemail = "asha.rao@example.com"\nphone = "+91 98450 12345"\n')
    put("p-syntax.toml", "[identity\nemail = ")
    put("p-unknown.toml", "[identity]\nshoe_size = 9\n")
    put("p-email.toml", '[identity]\nemail = "not-an-email"\n')
    put("p-phone.toml", '[identity]\nphone = "call me maybe"\n')
    put("p-policy.toml", 'apply_policy = "sometimes"\n')
    put("p-identity-str.toml", 'identity = "me"\n')
    put("p-exp-table.toml", '[experience]\ncompany = "Acme"\n')
    put("p-binary.toml", os.urandom(4096))
    put("p-nul.toml", '[identity]\nname = "A\\u0000B"\n')
    put("p-notice.toml", "[work]\nnotice_period_days = -5\n")
    put("p-links.toml", "[links]\nblog = 42\n")
    # JSONL files for enqueue --from-file
    put("t-ok.jsonl", '{"agent": "ping", "payload": {}}\n')
    put("t-binary.jsonl", os.urandom(4096))
    put("t-badjson.jsonl", '{"agent": "ping"}\n{not json\n')
    put("t-unknown-agent.jsonl", '{"agent": "nosuch", "payload": {}}\n')
    put("t-empty.jsonl", "")
    put("t-array.jsonl", "[1, 2, 3]\n")
    put("t-badpayload.jsonl", '{"agent": "ping", "payload": {"ms": "abc"}}\n')
    # settings files
    put("c-syntax.toml", "[queue\n")
    put("c-unknown.toml", "[queue]\nmax_attempts_typo = 3\n")
    put("c-type.toml", '[queue]\nmax_attempts = "many"\n')
    put("c-range.toml", "[queue]\nmax_attempts = 0\n")
    put("c-binary.toml", os.urandom(2048))
    put("a-file", "not a folder")
    return f


# --- loopback servers for discovery --------------------------------------------------------------------

# The servers themselves (RawServer and its behaviours) live in sandbox/raw.py, shared with the tests.
_trickle = raw.trickle(2.0)
_silent = raw.silent(120)
_huge = raw.huge(b'{"jobs": [', b'{"id": 1, "title": "x", "content": "' + b"a" * 65536 + b'"},', 8000)  # ~500 MB
_answer = raw.answer


def _good_greenhouse_jobs(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "title": f"Engineer {i}", "absolute_url": f"http://127.0.0.1/jobs/{i}",
             "location": {"name": "Remote"}, "content": "Python"} for i in range(1, n + 1)]


def start_servers() -> dict[str, raw.RawServer]:
    partial = {"jobs": _good_greenhouse_jobs(2) + [{"id": None}, "not an object", {"title": ""}]}
    return {
        "trickle": raw.RawServer(_trickle),
        "silent": raw.RawServer(_silent),
        "huge": raw.RawServer(_huge),
        "html": raw.RawServer(_answer(b"<html><body>Login</body></html>", "text/html")),
        "badjson": raw.RawServer(_answer(b'{"jobs": [ {"id": 1, "title": ')),
        "nojobs": raw.RawServer(_answer(b'{"data": []}')),
        "jobs-str": raw.RawServer(_answer(b'{"jobs": "none"}')),
        "partial": raw.RawServer(_answer(json.dumps(partial).encode())),
        "500": raw.RawServer(_answer(b"oops", "text/plain", "500 Internal Server Error")),
        "404": raw.RawServer(_answer(b"not found", "text/plain", "404 Not Found")),
        "rss-bad": raw.RawServer(_answer(b"<rss><channel><item><title>x</ti", "application/rss+xml")),
        "rss-entity": raw.RawServer(_answer(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
                                  b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
                                  b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
                                  b'<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>'
                                  b'<rss><channel><item><title>&g;</title></item></channel></rss>',
                                  "application/rss+xml")),
    }


def _with_db(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, "/" + name, p.query, p.fragment))


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --- the table -----------------------------------------------------------------------------------------

def build_cases(f: dict[str, Path], srv: dict[str, raw.RawServer], db_url: str) -> list[Case]:
    F = {k: str(v) for k, v in f.items()}
    dead = closed_port()
    c: list[Case] = []

    def add(name: str, *args: str, **kw: Any) -> None:
        c.append(Case(name, list(args), **kw))

    # global / parser
    add("unknown command", "frobnicate")
    add("unknown global option", "--frobnicate", "status")
    add("--config missing", "--config", "/nonexistent/talvix.toml", "status")
    add("--config folder", "--config", F["folder"], "status", want=r"\bis a (folder|directory)")
    add("--config bad TOML", "--config", F["c-syntax.toml"], "status")
    add("--config unknown key", "--config", F["c-unknown.toml"], "status")
    add("--config wrong type", "--config", F["c-type.toml"], "status")
    add("--config out of range", "--config", F["c-range.toml"], "status")
    add("--config binary", "--config", F["c-binary.toml"], "status")
    add("--data-dir is a file", "--data-dir", F["a-file"], "status", env={"TALVIX_DATA_DIR": ""})
    # environment
    add("DATABASE_URL refused port", "status",
        env={"TALVIX_DATABASE_URL": f"postgresql://u:p@127.0.0.1:{dead}/x"})
    add("DATABASE_URL password with @ and /", "status",
        env={"TALVIX_DATABASE_URL": f"postgresql://u:hunter@two/three@127.0.0.1:{dead}/x"},
        secrets=("hunter", "two", "three"))
    add("DATABASE_URL password with @", "status",
        env={"TALVIX_DATABASE_URL": f"postgresql://u:hunter@two@127.0.0.1:{dead}/x"}, secrets=("hunter", "two"))
    add("DATABASE_URL bad scheme", "status", env={"TALVIX_DATABASE_URL": "mysql://u:p@127.0.0.1/x"})
    add("DATABASE_URL garbage", "status", env={"TALVIX_DATABASE_URL": "not a url at all"})
    add("DATABASE_URL unknown database", "status",
        env={"TALVIX_DATABASE_URL": _with_db(db_url, "no_such_db_xyz")})
    add("ENCRYPTION_KEY too short", "candidates", env={"TALVIX_ENCRYPTION_KEY": "abc"})
    add("ENCRYPTION_KEY wrong key for data", "candidates",
        env={"TALVIX_ENCRYPTION_KEY": "00" * 32})
    add("TALVIX_QUEUE__MAX_ATTEMPTS=abc", "status", env={"TALVIX_QUEUE__MAX_ATTEMPTS": "abc"})
    # db
    add("db no action", "db")
    add("db bogus action", "db", "frob")
    # enqueue
    add("enqueue unknown agent", "enqueue", "nosuchagent")
    add("enqueue payload not JSON", "enqueue", "ping", "--payload", "{ms: 1")
    add("enqueue payload array", "enqueue", "ping", "--payload", "[1,2]")
    add("enqueue payload string", "enqueue", "ping", "--payload", '"hello"')
    add("enqueue ms abc", "enqueue", "ping", "--payload", '{"ms": "abc"}')
    add("enqueue ms negative", "enqueue", "ping", "--payload", '{"ms": -5}')
    add("enqueue ms 1e30", "enqueue", "ping", "--payload", '{"ms": 1e30}')
    add("enqueue unknown key", "enqueue", "ping", "--payload", '{"mss": 1}')
    add("enqueue NUL in payload", "enqueue", "ping", "--payload", '{"fail": "a\\u0000b"}')
    add("enqueue NaN", "enqueue", "ping", "--payload", '{"ms": NaN}')
    add("enqueue deep nesting", "enqueue", "ping", "--payload", "[" * 30000 + "]" * 30000)
    add("enqueue priority huge", "enqueue", "ping", "--priority", "99999999999")
    add("enqueue priority abc", "enqueue", "ping", "--priority", "abc")
    add("enqueue max-attempts 0", "enqueue", "ping", "--max-attempts", "0")
    add("enqueue max-attempts -1", "enqueue", "ping", "--max-attempts", "-1")
    add("enqueue run-at bad", "enqueue", "ping", "--run-at", "tomorrow")
    add("enqueue run-at no offset", "enqueue", "ping", "--run-at", "2026-01-01T09:00:00")
    add("enqueue run-at year 99999", "enqueue", "ping", "--run-at", "99999-01-01T00:00:00+00:00")
    add("enqueue payload and file", "enqueue", "ping", "--payload", "{}", "--from-file", F["t-ok.jsonl"])
    add("enqueue key NUL", "enqueue", "ping", "--key", "a\x01b\x7f")
    add("enqueue key 100 KB", "enqueue", "ping", "--key", "k" * 100000)
    add("enqueue file missing", "enqueue", "ping", "--from-file", "/nonexistent.jsonl")
    add("enqueue file folder", "enqueue", "ping", "--from-file", F["folder"], want=r"\bis a (folder|directory)")
    add("enqueue file binary", "enqueue", "ping", "--from-file", F["t-binary.jsonl"])
    add("enqueue file bad JSON line", "enqueue", "ping", "--from-file", F["t-badjson.jsonl"])
    add("enqueue file unknown agent", "enqueue", "ping", "--from-file", F["t-unknown-agent.jsonl"])
    add("enqueue file array line", "enqueue", "ping", "--from-file", F["t-array.jsonl"])
    add("enqueue file bad payload", "enqueue", "ping", "--from-file", F["t-badpayload.jsonl"])
    add("enqueue file /dev/zero", "enqueue", "ping", "--from-file", "/dev/zero", deadline=30, want="not a regular file|device")
    # tasks / retry / cancel / approve / reject
    add("tasks --limit -1", "tasks", "--limit", "-1")
    add("tasks --limit 0", "tasks", "--limit", "0")
    add("tasks --limit abc", "tasks", "--limit", "abc")
    add("tasks --limit 1e20", "tasks", "--limit", "100000000000000000000")
    add("tasks --status bogus", "tasks", "--status", "bogus")
    add("retry nothing", "retry")
    add("retry id abc", "retry", "abc")
    add("retry id -1", "retry", "-1")
    add("retry id huge", "retry", "99999999999999999999")
    add("retry id missing", "retry", "987654")
    add("cancel id abc", "cancel", "abc")
    add("cancel id missing", "cancel", "987654")
    add("cancel id huge", "cancel", "99999999999999999999")
    add("approve id abc", "approve", "abc")
    add("approve id missing", "approve", "987654")
    add("approve id huge", "approve", "99999999999999999999")
    add("approve edits not JSON", "approve", "1", "--edits", "{x")
    add("approve edits array", "approve", "1", "--edits", "[1]")
    add("reject no reason", "reject", "1")
    add("reject empty reason", "reject", "987654", "--reason", "")
    add("reject id missing", "reject", "987654", "--reason", "no")
    # pause / resume / cap / agents
    add("pause unknown", "pause", "nosuchagent")
    add("pause no name", "pause")
    add("resume unknown", "resume", "nosuchagent")
    add("cap unknown", "cap", "nosuchagent", "1")
    add("cap -1", "cap", "ping", "-1")
    add("cap abc", "cap", "ping", "abc")
    add("cap huge", "cap", "ping", "99999999999")
    add("agents extra arg", "agents", "extra")
    add("keygen extra arg", "keygen", "extra")
    # schedule
    add("schedule no action", "schedule")
    add("schedule bogus", "schedule", "frob")
    # runner (valid runners run forever; these must be refused at once)
    add("runner unknown agent", "runner", "--agents", "nosuchagent", "--exit-when-idle", deadline=20)
    add("runner concurrency 0", "runner", "--concurrency", "0", "--exit-when-idle", deadline=20)
    add("runner concurrency -1", "runner", "--concurrency", "-1", "--exit-when-idle", deadline=20)
    add("runner concurrency huge", "runner", "--concurrency", "100000", "--exit-when-idle", deadline=20)
    add("runner grace -1", "runner", "--grace", "-1", "--exit-when-idle", deadline=20)
    add("runner grace abc", "runner", "--grace", "abc", deadline=20)
    add("runner agents empty", "runner", "--agents", ",", "--exit-when-idle", deadline=20)
    # parse-resume
    for key in ("empty.txt", "blank.txt", "binary.txt", "random.pdf", "text-as.pdf", "truncated.pdf",
                "pdf-bomb.pdf", "random.docx", "empty-zip.docx", "zip-bomb.docx", "nul.txt", "huge.txt",
                "one-line.txt", "folder", "folder.pdf"):
        add(f"parse-resume {key}", "parse-resume", F[key], deadline=60,
            want=r"\bis a (folder|directory)" if key.startswith("folder") else None)
    # the format is read from the content, not the name (docs/hardening.md): a text resume under any name
    add("parse-resume text without extension (accepted)", "parse-resume", F["no-ext"], expect="accept")
    add("parse-resume text named .exe (accepted)", "parse-resume", F["resume.exe"], expect="accept")
    add("parse-resume missing", "parse-resume", "/nonexistent/cv.pdf")
    add("parse-resume /dev/zero", "parse-resume", "/dev/zero", deadline=30, want="not a regular file|device")
    add("parse-resume utf16 (accepted)", "parse-resume", F["utf16.txt"], expect="accept")
    add("parse-resume latin-1 (accepted)", "parse-resume", F["latin1.txt"], expect="accept")
    # candidates
    add("candidates --limit -1", "candidates", "--limit", "-1")
    add("candidates --limit 0", "candidates", "--limit", "0")
    add("candidates --after abc", "candidates", "--after", "abc")
    add("candidates --after huge", "candidates", "--after", "99999999999999999999")
    add("candidates add no resume", "candidates", "add")
    add("candidates add folder", "candidates", "add", "--resume", F["folder"], want=r"\bis a (folder|directory)")
    add("candidates add /dev/zero", "candidates", "add", "--resume", "/dev/zero", deadline=30, want="not a regular file|device")
    add("candidates add missing", "candidates", "add", "--resume", "/nonexistent/cv.pdf")
    add("candidates add binary", "candidates", "add", "--resume", F["binary.txt"])
    add("candidates add zip bomb", "candidates", "add", "--resume", F["zip-bomb.docx"], deadline=60)
    add("candidates add empty", "candidates", "add", "--resume", F["empty.txt"])
    for key in ("p-syntax.toml", "p-unknown.toml", "p-email.toml", "p-phone.toml", "p-policy.toml",
                "p-identity-str.toml", "p-exp-table.toml", "p-binary.toml", "p-nul.toml", "p-notice.toml",
                "p-links.toml", "folder"):
        add(f"candidates add profile {key}", "candidates", "add", "--resume", F["resume.txt"], "--profile", F[key])
    add("candidates add profile missing", "candidates", "add", "--resume", F["resume.txt"], "--profile", "/nonexistent.toml")
    # discover
    add("discover no source", "discover")
    add("discover no colon", "discover", "--source", "greenhouse")
    add("discover unknown kind", "discover", "--source", "monster:acme")
    add("discover empty name", "discover", "--source", "greenhouse:")
    add("discover base-url ftp", "discover", "--source", "greenhouse:acme", "--base-url", "ftp://127.0.0.1/")
    add("discover base-url garbage", "discover", "--source", "greenhouse:acme", "--base-url", "not a url")
    add("discover refused port", "discover", "--source", "greenhouse:acme", "--base-url", f"http://127.0.0.1:{dead}")
    add("discover trickling server", "discover", "--source", "greenhouse:acme", "--base-url", srv["trickle"].url, deadline=90)
    add("discover silent server", "discover", "--source", "greenhouse:acme", "--base-url", srv["silent"].url, deadline=90)
    add("discover huge answer", "discover", "--source", "greenhouse:acme", "--base-url", srv["huge"].url, deadline=90)
    add("discover HTML answer", "discover", "--source", "greenhouse:acme", "--base-url", srv["html"].url)
    add("discover truncated JSON", "discover", "--source", "greenhouse:acme", "--base-url", srv["badjson"].url)
    add("discover no jobs list", "discover", "--source", "greenhouse:acme", "--base-url", srv["nojobs"].url)
    add("discover jobs not a list", "discover", "--source", "greenhouse:acme", "--base-url", srv["jobs-str"].url)
    add("discover malformed entries", "discover", "--source", "greenhouse:acme", "--base-url", srv["partial"].url)
    add("discover HTTP 500", "discover", "--source", "greenhouse:acme", "--base-url", srv["500"].url, deadline=90)
    add("discover HTTP 404", "discover", "--source", "greenhouse:acme", "--base-url", srv["404"].url)
    add("discover lever HTML", "discover", "--source", "lever:acme", "--base-url", srv["html"].url)
    add("discover ashby truncated", "discover", "--source", "ashby:acme", "--base-url", srv["badjson"].url)
    add("discover rss broken XML", "discover", "--source", "rss:" + srv["rss-bad"].url + "/feed")
    add("discover rss entity bomb", "discover", "--source", "rss:" + srv["rss-entity"].url + "/feed", deadline=60)
    add("discover rss file URL", "discover", "--source", "rss:file:///etc/passwd")
    add("discover loopback-only", "discover", "--source", "greenhouse:acme",
        env={"TALVIX_LOOPBACK_ONLY": "1"})
    # jobs / score
    add("jobs --status bogus", "jobs", "--status", "bogus")
    add("jobs --limit -1", "jobs", "--limit", "-1")
    add("jobs --limit abc", "jobs", "--limit", "abc")
    add("score nothing", "score")
    add("score both", "score", "--candidate", "1", "--job", "1")
    add("score candidate abc", "score", "--candidate", "abc")
    add("score candidate missing", "score", "--candidate", "987654")
    add("score candidate huge", "score", "--candidate", "99999999999999999999")
    add("score job -1", "score", "--job", "-1")
    add("score top 0", "score", "--candidate", "1", "--top", "0")
    add("score top -1", "score", "--candidate", "1", "--top", "-1")
    # sandbox (a valid sandbox runs forever; these must be refused at once)
    add("sandbox port 70000", "sandbox", "--port", "70000", deadline=20)
    add("sandbox port -1", "sandbox", "--port", "-1", deadline=20)
    add("sandbox port abc", "sandbox", "--port", "abc", deadline=20)
    add("sandbox data is a file", "sandbox", "--port", "0", "--data", F["a-file"], deadline=20)
    add("sandbox data under a file", "sandbox", "--port", "0", "--data", F["a-file"] + "/board", deadline=20)
    # apply (refused before Chromium starts)
    add("apply no mode", "apply", "--url", "http://127.0.0.1/", "--resume", F["resume.txt"], "--profile", F["p-ok.toml"])
    add("apply both modes", "apply", "--url", "http://127.0.0.1/", "--resume", F["resume.txt"],
        "--profile", F["p-ok.toml"], "--dry-run", "--submit")
    add("apply url garbage", "apply", "--url", "not a url", "--resume", F["resume.txt"], "--profile", F["p-ok.toml"], "--dry-run")
    add("apply url file://", "apply", "--url", "file:///etc/passwd", "--resume", F["resume.txt"], "--profile", F["p-ok.toml"], "--dry-run")
    add("apply url javascript:", "apply", "--url", "javascript:alert(1)", "--resume", F["resume.txt"], "--profile", F["p-ok.toml"], "--dry-run")
    add("apply resume missing", "apply", "--url", "http://127.0.0.1/", "--resume", "/nonexistent.pdf", "--profile", F["p-ok.toml"], "--dry-run")
    add("apply resume folder", "apply", "--url", "http://127.0.0.1/", "--resume", F["folder"], "--profile", F["p-ok.toml"], "--dry-run", want=r"\bis a (folder|directory)")
    add("apply profile missing", "apply", "--url", "http://127.0.0.1/", "--resume", F["resume.txt"], "--profile", "/nonexistent.toml", "--dry-run")
    add("apply profile bad email", "apply", "--url", "http://127.0.0.1/", "--resume", F["resume.txt"], "--profile", F["p-email.toml"], "--dry-run")
    add("apply profile syntax", "apply", "--url", "http://127.0.0.1/", "--resume", F["resume.txt"], "--profile", F["p-syntax.toml"], "--dry-run")
    add("apply screenshots is a file", "apply", "--url", "http://127.0.0.1/", "--resume", F["resume.txt"],
        "--profile", F["p-ok.toml"], "--dry-run", "--screenshots", F["a-file"], deadline=60, want="--screenshots")
    add("apply-sites bogus action", "apply-sites", "frob")
    add("apply-sites resume no site", "apply-sites", "resume")
    add("apply-sites resume unknown site", "apply-sites", "resume", "no.such.site.example")
    # notifications (issue 12)
    add("notify no action", "notify")
    add("notify bogus action", "notify", "frob")
    add("notifications --limit abc", "notifications", "--limit", "abc")
    add("notifications --limit -1", "notifications", "--limit", "-1")
    add("notifications --status bogus", "notifications", "--status", "bogus")
    add("notifications --candidate abc", "notifications", "--candidate", "abc")
    add("webhook no port", "webhook", deadline=20)
    add("webhook port 70000", "webhook", "--port", "70000", deadline=20)
    add("webhook port abc", "webhook", "--port", "abc", deadline=20)
    # outcomes, calibration, mail, follow-ups (issue 13)
    add("outcomes: outcome no args", "outcome")
    add("outcomes: outcome id abc", "outcome", "abc", "interview")
    add("outcomes: outcome missing application", "outcome", "987654", "interview")
    add("outcomes: outcome bogus kind", "outcome", "1", "frobbed")
    add("outcomes: calibrate list and rollback", "calibrate", "--list", "--rollback")
    add("outcomes: mail no action", "mail")
    add("outcomes: followups --limit abc", "followups", "--limit", "abc")
    add("outcomes: followups --status bogus", "followups", "--status", "bogus")
    # console / demo / pipeline-demo
    add("console bogus option", "console", "--frob")
    add("demo bogus view", "demo", "--view", "bogus")
    add("demo port -1", "demo", "--port", "-1", "--seed-only", deadline=30)
    # no candidates: discovery and scoring only (documented; the tests use it)
    add("pipeline-demo candidates 0 (accepted)", "pipeline-demo", "--candidates", "0", "--exit-when-done",
        deadline=120, expect="accept")
    add("pipeline-demo candidates -1", "pipeline-demo", "--candidates", "-1", "--exit-when-done", deadline=30)
    add("pipeline-demo timeout -1", "pipeline-demo", "--timeout", "-1", "--exit-when-done", deadline=30)
    add("pipeline-demo port 70000", "pipeline-demo", "--port", "70000", "--exit-when-done", deadline=30)
    return c


# --- running -------------------------------------------------------------------------------------------

_ERROR_LINE = re.compile(r"^talvix(?: [\w-]+)*: error: \S")
_GENERIC = ("unexpected ", "report it")


def classify(case: Case, rc: int | None, out: str, err: str) -> tuple[str, str]:
    text = out + "\n" + err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    first = next((ln for ln in lines if "error" in ln), lines[-1] if lines else out.strip()[:200])
    if rc is None:
        return "hang", first
    if "Traceback (most recent call last)" in text:
        tb = [ln for ln in err.splitlines() if ln.strip()]
        return "traceback", tb[-1] if tb else ""
    if rc == 0:
        return ("accepted" if case.expect == "accept" else "silent"), (out.strip().splitlines() or [""])[0][:200]
    # a usage error is two lines: one usage line, then the error line
    rest = [ln for ln in lines if not ln.startswith("usage:") and not ln.startswith(" ")]
    if lines and lines[0].startswith("usage:") and len(lines) != 2:
        return "generic", f"[usage error of {len(lines)} lines] " + (rest[0] if rest else "")
    if len(rest) == 1 and _ERROR_LINE.match(rest[0]) and not any(g in rest[0] for g in _GENERIC):
        if case.want and not re.search(case.want, rest[0], re.I):
            return "generic", f"[does not say /{case.want}/] {rest[0]}"
        return "clear", rest[0]
    if any(g in text for g in _GENERIC):
        return "generic", first
    return "generic", f"[{len(rest)} lines] " + (rest[0] if rest else "(no error line)")


def run_case(module: str, case: Case, env: dict[str, str], cwd: Path) -> Result:
    full_env = {**env, **case.env}
    full_env = {k: v for k, v in full_env.items() if v != ""}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", module, *case.args], env=full_env, cwd=cwd,
                                stdin=subprocess.PIPE if case.stdin is not None else subprocess.DEVNULL,
                                stdout=out, stderr=err, start_new_session=True)
        if case.stdin is not None and proc.stdin:
            proc.stdin.write(case.stdin.encode())
            proc.stdin.close()
        status: dict[str, Any] = {}

        def reap() -> None:
            _, st, ru = os.wait4(proc.pid, 0)
            status["status"], status["rusage"] = st, ru

        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()
        waiter.join(case.deadline)
        hung = waiter.is_alive()
        if hung:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            waiter.join(10)
        seconds = time.monotonic() - start
        proc.returncode = 0  # reaped above; keeps Popen from waiting again
        # anything the case left running in its session (a server it started) is ended too
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        rc = None if hung else os.waitstatus_to_exitcode(status["status"])
        maxrss = status["rusage"].ru_maxrss / 1024 if "rusage" in status else 0.0
        out.seek(0)
        err.seek(0)
        o = out.read(1 << 20).decode("utf-8", "replace")
        e = err.read(1 << 20).decode("utf-8", "replace")
    kind, line = classify(case, rc, o, e)
    leaked = [s for s in case.secrets if s in o or s in e]
    if leaked:
        kind, line = "leak", f"shows {', '.join(map(repr, leaked))}: {line}"
    return Result(case, kind, rc, seconds, maxrss, line)


def setup(work: Path) -> None:
    """In a child process: the embedded database (migrated), the files, the key; prints JSON."""
    import psycopg
    from psycopg import sql

    from core.crypto import generate_key
    from core.db import Database, ensure_embedded, migrate

    base = ensure_embedded(work / "pg", dbname="postgres")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier("hostile")))
    db_url = _with_db(base, "hostile")
    db = Database(db_url, min_size=0, max_size=2)
    try:
        migrate(db)
    finally:
        db.close()
    files_dir = work / "files"
    files_dir.mkdir()
    files = make_files(files_dir)
    print(json.dumps({"db_url": db_url, "key": generate_key(), "files": {k: str(v) for k, v in files.items()}}))


def teardown(work: Path) -> None:
    from core.db import stop_embedded

    stop_embedded(work / "pg")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="run only cases whose name contains this")
    ap.add_argument("--verbose", action="store_true", help="print the message of every case")
    ap.add_argument("--setup", metavar="DIR", help=argparse.SUPPRESS)
    ap.add_argument("--teardown", metavar="DIR", help=argparse.SUPPRESS)
    opts = ap.parse_args()
    if opts.setup:
        setup(Path(opts.setup))
        return 0
    if opts.teardown:
        teardown(Path(opts.teardown))
        return 0

    module = talvix_module()
    work = Path(tempfile.mkdtemp(prefix="talvix-hostile-"))
    os.chmod(work, 0o700)
    servers: dict[str, raw.RawServer] = {}
    started = time.monotonic()
    results: list[Result] = []
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("TALVIX_")}
    base_env["PYTHONPATH"] = str(REPO) + os.pathsep + base_env.get("PYTHONPATH", "")
    try:
        made = subprocess.run([sys.executable, __file__, "--setup", str(work)], env=base_env, capture_output=True,
                              text=True, timeout=600)
        if made.returncode != 0:
            sys.stderr.write(made.stderr)
            raise SystemExit("setup failed")
        info = json.loads(made.stdout.strip().splitlines()[-1])
        db_url = info["db_url"]
        files = {k: Path(v) for k, v in info["files"].items()}
        servers = start_servers()
        data_dir = work / "data"
        data_dir.mkdir()
        env = dict(base_env)
        env.update({
            "TALVIX_DATABASE_URL": db_url,
            "TALVIX_ENCRYPTION_KEY": info["key"],
            "TALVIX_DATA_DIR": str(data_dir),
        })
        env.pop("TALVIX_DEBUG", None)
        # one candidate written with this key, so "wrong key" has something to fail on
        subprocess.run([sys.executable, "-m", module, "candidates", "add", "--resume", str(files["resume.txt"])],
                       env=env, cwd=data_dir, capture_output=True, timeout=120)
        cases = build_cases(files, servers, db_url)
        if opts.only:
            cases = [c for c in cases if opts.only in c.name]
        for case in cases:
            r = run_case(module, case, env, data_dir)
            results.append(r)
            mark = {"clear": "ok", "accepted": "ok"}.get(r.kind, "!!")
            print(f"{mark} {r.kind:<9} {r.seconds:5.1f}s {r.maxrss_mb:6.0f}MB  {case.name}"
                  + (f"  | {r.line[:160]}" if opts.verbose or mark == "!!" else ""), flush=True)
    finally:
        for s in servers.values():
            s.close()
        subprocess.run([sys.executable, __file__, "--teardown", str(work)], env=base_env, capture_output=True,
                       timeout=120)
        shutil.rmtree(work, ignore_errors=True)

    count = lambda k: sum(1 for r in results if r.kind == k)  # noqa: E731
    peak = max(results, key=lambda r: r.maxrss_mb) if results else None
    summary = {
        "cases": len(results),
        "clear": count("clear"),
        "tracebacks": count("traceback"),
        "generic": count("generic"),
        "hangs": count("hang"),
        "silent": count("silent"),
        "accepted": count("accepted"),
        "leaks": count("leak"),
        "peak_mb": round(peak.maxrss_mb, 1) if peak else 0.0,
        "peak_case": peak.case.name if peak else None,
        "seconds": round(time.monotonic() - started, 1),
        "failures": [f"{r.kind}: {r.case.name}" for r in results if r.kind not in ("clear", "accepted")],
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
