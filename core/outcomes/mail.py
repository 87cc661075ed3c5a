"""Replies from employers, read from IMAP mailboxes: parsed, linked to an application, classified.

A mailbox is a candidate's own (``candidate_id`` set) or a shared inbox, where a message's recipients
name its candidate (matched through the keyed email hash, never a clear address). :func:`sync` reads the
messages after the last UID seen (``mail_sync``; a new UIDVALIDITY starts again, and a Message-ID already
stored is not stored twice), without marking them read.

Linking uses metadata first: the sender's domain against the company's (from the job's URLs and name), the
company and the job title in the sender's name, subject and text, the ATS that sends for the job
(Greenhouse, Lever, Ashby, Workday...), and the time since applying. A message is linked only at or above
``outcomes.link_threshold`` and clear of the runner-up; otherwise it is ``unlinked`` for an operator.

Classification (rejection, interview invitation, assessment, offer, confirmation, other) reads phrases
and the calendar: an ``.ics`` invitation (METHOD:REQUEST) is an interview, with its start, end and place.
Nothing a message says counts until an operator confirms it (:mod:`core.outcomes.records`).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import html
import imaplib
import os
import re
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core import queue
from core.errors import ConfigError, TalvixError
from core.safetext import clean

if TYPE_CHECKING:
    from core.config import MailboxSettings, Settings
    from core.crypto import Cipher
    from core.db import Database

EXCERPT_CHARS = 4_000
_SUBJECT_CONTEXT = b"mail-subject"
_EXCERPT_CONTEXT = b"mail-excerpt"

#: Domains ATSs send candidate mail from, and the ATS each belongs to.
ATS_DOMAINS = {
    "greenhouse.io": "greenhouse", "greenhouse-mail.io": "greenhouse", "us.greenhouse-mail.io": "greenhouse",
    "lever.co": "lever", "hire.lever.co": "lever", "ashbyhq.com": "ashby", "ashbyhiring.com": "ashby",
    "myworkday.com": "workday", "myworkdayjobs.com": "workday", "workablemail.com": "workable",
    "workable.com": "workable", "smartrecruiters.com": "smartrecruiters", "icims.com": "icims",
    "jobvite.com": "jobvite", "bamboohr.com": "bamboohr", "recruitee.com": "recruitee",
    "teamtailor.com": "teamtailor", "teamtailor-mail.com": "teamtailor", "breezy.hr": "breezy",
    "applytojob.com": "jazzhr", "successfactors.com": "successfactors", "freshteam.com": "freshteam",
    "zohorecruit.com": "zoho", "darwinbox.in": "darwinbox", "keka.com": "keka",
}
#: Assessment platforms: a message from them is an assessment whatever else it says.
ASSESSMENT_DOMAINS = ("hackerrank.com", "codility.com", "codesignal.com", "testgorilla.com", "hackerearth.com",
                      "mettl.com", "coderbyte.com", "karat.com", "imocha.io")
_AUTOMATED_LOCAL = re.compile(r"^(no-?reply|do-?not-?reply|donotreply|notifications?|mailer-daemon|jobs?|careers|"
                              r"talent|recruiting|hiring|hr|apply|applications?|info|team|hello|support)([+._-].*)?$")
_COMPANY_NOISE = frozenset({"inc", "ltd", "llc", "pvt", "private", "limited", "gmbh", "corp", "corporation", "co",
                            "technologies", "technology", "labs", "the", "group", "india", "solutions", "software"})
_WORD = re.compile(r"[a-z0-9]+")


def is_automated_sender(address: str) -> bool:
    """An ATS's or a role address (no-reply@, careers@ ...), not a person to write back to."""
    local, _, domain = address.lower().rpartition("@")
    return domain_ats(domain) is not None or bool(_AUTOMATED_LOCAL.match(local))


def domain_ats(domain: str) -> str | None:
    domain = domain.lower().strip(".")
    parts = domain.split(".")
    for i in range(len(parts) - 1):
        hit = ATS_DOMAINS.get(".".join(parts[i:]))
        if hit:
            return hit
    return None


# ------------------------------------------------------------------------------------------------
# Parsing
# ------------------------------------------------------------------------------------------------
@dataclass
class CalendarEvent:
    method: str | None
    summary: str
    start: str | None  # ISO 8601
    end: str | None
    location: str
    organizer: str

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method, "summary": self.summary, "start": self.start, "end": self.end,
                "location": self.location, "organizer": self.organizer}


@dataclass
class Parsed:
    message_id: str | None
    sender: str
    sender_name: str
    reply_to: str | None
    recipients: list[str]
    subject: str
    date: datetime | None
    text: str
    calendar: list[CalendarEvent] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)

    @property
    def sender_domain(self) -> str:
        return self.sender.rpartition("@")[2].lower()


_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.S | re.I)
_BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.I)


def html_to_text(markup: str) -> str:
    text = _BLOCK.sub("\n", markup)
    text = _TAGS.sub(" ", text)
    text = html.unescape(text)
    return re.sub(r"[ \t\u00a0]+", " ", re.sub(r"\n\s*\n+", "\n\n", text)).strip()


def _ics_datetime(value: str, params: dict[str, str]) -> str | None:
    value = value.strip()
    try:
        if len(value) == 8:
            return datetime.strptime(value, "%Y%m%d").date().isoformat()
        if value.endswith("Z"):
            return datetime.strptime(value[:-1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC).isoformat()
        naive = datetime.strptime(value, "%Y%m%dT%H%M%S")
    except ValueError:
        return None
    tzid = params.get("TZID")
    if tzid:
        try:
            return naive.replace(tzinfo=ZoneInfo(tzid.strip('"'))).isoformat()
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return naive.isoformat()


def _ics_text(v: str) -> str:
    """An iCalendar TEXT value unescaped (RFC 5545 3.3.11) and made safe for a terminal."""
    return clean(v.replace("\\n", " ").replace("\\N", " ").replace("\\,", ",").replace("\\;", ";")
                 .replace("\\\\", "\\")).strip()


def parse_ics(text: str) -> list[CalendarEvent]:
    """VEVENTs of an iCalendar text (RFC 5545: unfolded lines, parameters, escaped text)."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    method = None
    events: list[CalendarEvent] = []
    cur: dict[str, tuple[str, dict[str, str]]] | None = None
    for line in lines:
        name_params, sep, value = line.partition(":")
        if not sep:
            continue
        name, *plist = name_params.split(";")
        name = name.upper()
        params = {}
        for p in plist:
            k, _, v = p.partition("=")
            params[k.upper()] = v
        if name == "METHOD" and cur is None:
            method = value.strip().upper()
        elif name == "BEGIN" and value.strip().upper() == "VEVENT":
            cur = {}
        elif name == "END" and value.strip().upper() == "VEVENT" and cur is not None:
            def txt(key: str, ev: dict[str, tuple[str, dict[str, str]]] = cur) -> str:
                return _ics_text(ev.get(key, ("", {}))[0])
            start = cur.get("DTSTART")
            end = cur.get("DTEND")
            org = cur.get("ORGANIZER", ("", {}))[0]
            events.append(CalendarEvent(method, txt("SUMMARY"), _ics_datetime(*start) if start else None,
                                        _ics_datetime(*end) if end else None, txt("LOCATION"),
                                        org.split(":", 1)[1] if org.lower().startswith("mailto:") else org))
            cur = None
        elif cur is not None and name not in cur:
            cur[name] = (value, params)
    return events


def parse(raw: bytes) -> Parsed:
    """The parts of a message linking and classification read. Never raises on a malformed message."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)

    def header(name: str) -> str:
        try:
            return clean(str(msg.get(name, "") or ""))
        except Exception:  # a header the parser cannot decode
            return ""

    name, addr = parseaddr(header("From"))
    reply_name, reply = parseaddr(header("Reply-To"))
    recips = [a.lower() for _, a in getaddresses([header("To"), header("Cc"), header("Delivered-To")]) if "@" in a]
    try:
        date = parsedate_to_datetime(header("Date")) if header("Date") else None
        if date is not None and date.tzinfo is None:
            date = date.replace(tzinfo=UTC)
    except (TypeError, ValueError):
        date = None
    plain: list[str] = []
    htmls: list[str] = []
    events: list[CalendarEvent] = []
    attachments: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        filename = part.get_filename() or ""
        try:
            got = part.get_payload(decode=True)
        except Exception:
            got = None
        payload: bytes = got if isinstance(got, bytes) else b""
        charset = part.get_content_charset() or "utf-8"
        if ctype == "text/calendar" or filename.lower().endswith(".ics"):
            events.extend(parse_ics(payload.decode(charset, errors="replace")))
            attachments.append(filename or "invite.ics")
            continue
        if filename or part.get_content_disposition() == "attachment":
            attachments.append(clean(filename) or ctype)
            continue
        if ctype == "text/plain":
            plain.append(payload.decode(charset, errors="replace"))
        elif ctype == "text/html":
            htmls.append(payload.decode(charset, errors="replace"))
    text = "\n".join(plain) if plain else "\n".join(html_to_text(h) for h in htmls)
    mid = header("Message-ID").strip() or None
    return Parsed(message_id=mid[:500] if mid else None, sender=addr.lower(), sender_name=name,
                  reply_to=reply.lower() if reply and reply.lower() != addr.lower() else None, recipients=recips,
                  subject=header("Subject"), date=date, text=clean(text, keep_newlines=True), calendar=events,
                  attachments=attachments)


# ------------------------------------------------------------------------------------------------
# Classification
# ------------------------------------------------------------------------------------------------
_RULES: dict[str, list[tuple[str, float]]] = {
    "rejection": [
        (r"\bunfortunately\b", 1.5), (r"not (?:to )?(?:be )?(?:mov|proceed)(?:e|ing) forward", 3.0),
        (r"decided to (?:move forward|proceed|go ahead) with (?:other|another|a different)", 3.5),
        (r"(?:pursue|pursuing) other candidates", 3.0), (r"regret to inform", 3.0),
        (r"will not be (?:moving|proceeding|progressing|taking)", 3.0), (r"position has (?:now )?been filled", 3.0),
        (r"not (?:been )?selected", 2.5), (r"other (?:candidates|applicants) whose (?:experience|background|skills)", 2.5),
        (r"decided not to (?:move|proceed|progress|continue)", 3.0), (r"keep your (?:resume|cv|details) on file", 1.0),
        (r"not (?:a|the) (?:right )?(?:fit|match) (?:at this time|for (?:this|the) role)", 2.5),
        (r"unable to (?:offer|move|progress)", 2.5), (r"no longer (?:being )?consider", 2.5),
    ],
    "interview": [
        (r"\binterview invitation\b|\binvit(?:e|ation) (?:you )?(?:to|for) (?:an? )?(?:\w+ )?interview", 3.0),
        (r"schedul(?:e|ing) (?:an? |your )?(?:\w+ )?(?:interview|call|chat|conversation)", 3.0),
        (r"\bphone screen\b|\bscreening call\b|\bintro(?:ductory)? call\b", 2.5),
        (r"(?:share|send|let (?:me|us) know) your availability|\bavailable for a\b|times? that work", 2.5),
        (r"calendly\.com|goodtime\.io|\bpick a (?:time|slot)\b|book a (?:time|slot)", 2.5),
        (r"would (?:like|love) to (?:speak|talk|chat|meet) with you", 2.5), (r"\bnext round\b", 1.5),
        (r"\b(?:technical|onsite|on-site|final|panel|hiring manager) interview\b", 2.0),
        # as Indian employers' HR teams write it: "your interview has been scheduled on 12 Dec at 11:00 AM IST"
        (r"\binterview (?:has been |is |was )?(?:scheduled|confirmed|fixed|lined up|arranged)\b", 3.0),
        (r"\b(?:hr|technical|managerial|f2f|face[- ]to[- ]face|first|second|1st|2nd) (?:round|interview round)\b", 2.0),
        (r"\bshortlisted for (?:the )?(?:next|technical|hr|interview|first|second)\b", 2.5),
    ],
    "assessment": [
        (r"\b(?:coding|technical|online|skills?) (?:assessment|challenge|test)\b", 3.0),
        (r"\btake[- ]home\b", 3.0), (r"hackerrank|codility|codesignal|testgorilla|hackerearth|mettl|coderbyte", 3.0),
        (r"complete (?:the|this|an?) (?:assessment|assignment|exercise|test)", 2.5), (r"\bassignment\b", 1.0),
    ],
    "offer": [
        (r"pleased to (?:offer|extend)", 4.0), (r"\boffer letter\b", 3.5), (r"offer of employment", 4.0),
        (r"extend (?:you )?an offer", 4.0), (r"\bcompensation (?:package|details)\b", 1.5),
        (r"\bjoining date\b|\bstart date\b", 1.0), (r"accept (?:the|this|our) offer", 2.5),
    ],
    "confirmation": [
        (r"thank(?:s| you) for (?:applying|your application|submitting)", 2.0),
        (r"(?:we(?:'ve| have)|has been) (?:successfully )?received (?:your application|it)", 2.5),
        (r"application (?:has been )?(?:received|submitted)", 2.0), (r"\bwill review your (?:application|profile)\b", 1.5),
        (r"thank(?:s| you) for your interest", 1.0), (r"if your (?:skills|experience|background|qualifications) ", 1.0),
    ],
}
_COMPILED = {k: [(re.compile(p, re.I), w) for p, w in v] for k, v in _RULES.items()}
#: When both are present, the later stage wins (an offer mentions the interview before it ...).
_PRECEDENCE = {"offer": 5, "rejection": 4, "interview": 3, "assessment": 3, "confirmation": 1}


@dataclass
class Classification:
    label: str
    confidence: float
    reasons: list[str]
    scores: dict[str, float]


def classify(p: Parsed) -> Classification:
    """The class of a message from its subject, text, attachments and sender, with the phrases that decided it."""
    text = f"{p.subject}\n{p.text}"
    scores = {k: 0.0 for k in _RULES}
    reasons: dict[str, list[str]] = {k: [] for k in _RULES}
    for label, rules in _COMPILED.items():
        for rx, w in rules:
            m = rx.search(text)
            if m:
                scores[label] += w
                reasons[label].append(m.group(0).lower()[:60])
    requests = [e for e in p.calendar if (e.method or "REQUEST") in ("REQUEST", "PUBLISH")]
    if requests:
        scores["interview"] += 4.0
        reasons["interview"].append("calendar invitation (.ics)")
    if any(p.sender_domain == d or p.sender_domain.endswith("." + d) for d in ASSESSMENT_DOMAINS):
        scores["assessment"] += 3.0
        reasons["assessment"].append(f"sent by {p.sender_domain}")
    # A rejection usually thanks for applying: the confirmation phrases do not count against it.
    if scores["rejection"] >= 3.0:
        scores["confirmation"] = 0.0
    ranked = sorted(scores.items(), key=lambda kv: (kv[1], _PRECEDENCE[kv[0]]), reverse=True)
    best, top = ranked[0]
    if top < 2.0:
        return Classification("other", round(1.0 - top / 4.0, 3), [], scores)
    strong = [k for k, v in scores.items() if v >= 3.0]
    if len(strong) > 1:
        best = max(strong, key=lambda k: (_PRECEDENCE[k], scores[k]))
        top = scores[best]
    second = max(v for k, v in scores.items() if k != best)
    confidence = min(0.99, top / (top + second + 1.0) + 0.15 * min(top, 6) / 6)
    return Classification(best, round(confidence, 3), reasons[best], scores)


# ------------------------------------------------------------------------------------------------
# Linking
# ------------------------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def company_words(company: str) -> list[str]:
    return [w for w in _words(company) if w not in _COMPANY_NOISE and len(w) > 1]


def _host_domains(*urls: str | None) -> set[str]:
    out = set()
    for u in urls:
        if not u:
            continue
        host = (urlsplit(u).hostname or "").lower()
        if host and domain_ats(host) is None:
            parts = host.split(".")
            out.add(".".join(parts[-2:]) if len(parts) >= 2 else host)
    return out


def _registered(domain: str) -> str:
    parts = domain.lower().split(".")
    if len(parts) >= 3 and parts[-2] in ("co", "com", "org", "net", "ac") and len(parts[-1]) == 2:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


@dataclass
class Link:
    application_id: int | None
    confidence: float
    reasons: list[str]
    runner_up: float = 0.0


def link_score(p: Parsed, app: dict[str, Any], now: datetime) -> tuple[float, list[str]]:
    """How sure it is that message ``p`` is about application ``app`` (0-1), and why."""
    reasons: list[str] = []
    score = 0.0
    cw = company_words(app.get("company") or "")
    sender_domain = p.sender_domain
    reg = _registered(sender_domain) if sender_domain else ""
    ats = domain_ats(sender_domain) if sender_domain else None
    job_domains = _host_domains(app.get("url"), app.get("apply_url"))
    squashed = "".join(cw)
    if reg and (reg in job_domains or (squashed and len(squashed) >= 4 and reg.split(".")[0] in (squashed, cw[0] if cw else ""))):
        score += 0.45
        reasons.append(f"sender domain {reg} is the company's")
    if ats is not None and ats == (app.get("ats") or "").lower():
        score += 0.15
        reasons.append(f"sent by {ats}, the job's ATS")
    header_text = f"{p.sender_name} {p.subject}".lower()
    body = p.text[:EXCERPT_CHARS].lower()
    name = " ".join(cw)
    if name and re.search(r"\b" + re.escape(name) + r"\b", " ".join(_words(header_text))):
        score += 0.35
        reasons.append("company named in the sender or subject")
    elif name and re.search(r"\b" + re.escape(name) + r"\b", " ".join(_words(body))):
        score += 0.25
        reasons.append("company named in the text")
    tw = [w for w in _words(app.get("title") or "") if len(w) > 1]
    if tw:
        hay = set(_words(header_text)) | set(_words(body))
        share = sum(w in hay for w in tw) / len(tw)
        phrase = " ".join(tw)
        if phrase in " ".join(_words(header_text)) or phrase in " ".join(_words(body)):
            score += 0.3
            reasons.append("job title named")
        elif share >= 0.75:
            score += 0.15
            reasons.append(f"{share:.0%} of the job title's words")
    sent = app.get("submitted_at")
    when = p.date or now
    if sent is not None:
        if when < sent - timedelta(hours=12):
            score -= 0.5
            reasons.append("sent before the application was submitted")
        elif when - sent <= timedelta(days=45):
            score += 0.1
            reasons.append(f"{(when - sent).days} day(s) after applying")
    return max(0.0, min(1.0, score)), reasons


def link(p: Parsed, apps: list[dict[str, Any]], threshold: float, now: datetime | None = None) -> Link:
    """The application a message is about, when one stands out at or above ``threshold``."""
    now = now or datetime.now(UTC)
    scored = sorted(((link_score(p, a, now), a) for a in apps), key=lambda t: -t[0][0])
    if not scored:
        return Link(None, 0.0, ["no submitted application of this candidate to link to"])
    (best, why), app = scored[0]
    second = scored[1][0][0] if len(scored) > 1 else 0.0
    if best < threshold:
        return Link(None, best, why + [f"best match {best:.2f} is below the threshold {threshold:.2f}"], second)
    if best - second < 0.15:
        return Link(None, best, why + [f"two applications match alike ({best:.2f} and {second:.2f})"], second)
    return Link(int(app["id"]), best, why, second)


# ------------------------------------------------------------------------------------------------
# Reading a mailbox
# ------------------------------------------------------------------------------------------------
class MailboxError(TalvixError):
    """A mailbox could not be read (connection, login, folder): one line, never the password."""


def _password(name: str, box: MailboxSettings) -> str:
    value = os.environ.get(box.password_env)
    if not value:
        raise ConfigError(f"mailbox '{name}': environment variable {box.password_env} (its password) is not set")
    return value


def _connect(name: str, box: MailboxSettings) -> imaplib.IMAP4:
    """IMAPS (``tls``), plain upgraded with STARTTLS (``starttls``), or plain; the certificate is checked
    against the system's CAs or ``ca_file`` and the host name."""
    try:
        context = ssl.create_default_context(cafile=box.ca_file) if (box.tls or box.starttls) else None
        if box.tls:
            return imaplib.IMAP4_SSL(box.host, box.port, ssl_context=context, timeout=box.timeout_s)
        conn = imaplib.IMAP4(box.host, box.port, timeout=box.timeout_s)
    except (TimeoutError, OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"mailbox '{name}': cannot connect to {box.host}:{box.port}: {exc}") from None
    if box.starttls:
        try:
            _ok(name, "STARTTLS", conn.starttls(ssl_context=context))
        except (TimeoutError, OSError, imaplib.IMAP4.error) as exc:
            with contextlib.suppress(OSError):
                conn.shutdown()
            raise MailboxError(f"mailbox '{name}': STARTTLS with {box.host}:{box.port} failed: {exc}") from None
    return conn


def _ok(name: str, what: str, resp: tuple[str, list[Any]]) -> list[Any]:
    typ, data = resp
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")[:200]
        raise MailboxError(f"mailbox '{name}': {what} failed: {clean(detail)}")
    return data


@dataclass
class Fetched:
    uid: int
    size: int
    raw: bytes | None  # None: larger than max_message_kb, not read


def fetch_new(name: str, box: MailboxSettings, last_uid: int, uidvalidity: int | None,
              limit: int = 500) -> tuple[int, list[Fetched]]:
    """(UIDVALIDITY, messages after ``last_uid``) of one mailbox, read-only (messages stay unread)."""
    conn = _connect(name, box)
    try:
        try:
            _ok(name, "login", conn.login(box.username, _password(name, box)))
        except imaplib.IMAP4.error:
            raise MailboxError(f"mailbox '{name}': login refused for {box.username}") from None
        _ok(name, f"opening folder {box.folder!r}", conn.select(_quote(box.folder), readonly=True))
        validity = int((conn.response("UIDVALIDITY")[1] or [b"0"])[0] or 0)
        start = last_uid + 1 if uidvalidity == validity else 1
        data = _ok(name, "search", conn.uid("SEARCH", "UID", f"{start}:*"))
        uids = sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u >= start)[:limit]
        out: list[Fetched] = []
        max_bytes = box.max_message_kb * 1024
        for uid in uids:
            size_data = _ok(name, "fetch", conn.uid("FETCH", str(uid), "(RFC822.SIZE)"))
            m = re.search(rb"RFC822\.SIZE (\d+)", b" ".join(d if isinstance(d, bytes) else d[0] for d in size_data if d))
            size = int(m.group(1)) if m else 0
            if size > max_bytes:
                out.append(Fetched(uid, size, None))
                continue
            body = _ok(name, "fetch", conn.uid("FETCH", str(uid), "(BODY.PEEK[])"))
            raw = next((d[1] for d in body if isinstance(d, tuple)), None)
            out.append(Fetched(uid, size, raw))
        return validity, out
    finally:
        try:
            conn.logout()
        except Exception:
            pass


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


_APPS_SQL = """
SELECT a.id, a.candidate_id, a.submitted_at, j.company, j.title, j.url, j.apply_url, j.ats
  FROM applications a JOIN jobs j ON j.id = a.job_id
 WHERE a.candidate_id = %s AND a.status IN ('submitted', 'unknown_outcome', 'withdrawn')
   AND (a.submitted_at IS NULL OR a.submitted_at >= now() - make_interval(days => %s))
 ORDER BY a.id
"""


def _candidate_for(conn: Any, cipher: Cipher, p: Parsed, box: MailboxSettings) -> int | None:
    if box.candidate_id is not None:
        return box.candidate_id
    for addr in p.recipients:
        row = conn.execute("SELECT id FROM candidates WHERE email_hash = %s", (cipher.lookup_hash(addr),)).fetchone()
        if row is not None:
            return int(row["id"])
    return None


def store(conn: Any, cipher: Cipher, settings: Settings, mailbox: str, box: MailboxSettings,
          uidvalidity: int, f: Fetched, now: datetime | None = None) -> dict[str, Any] | None:
    """Parse, link, classify and store one fetched message (None: already stored)."""
    if f.raw is None:
        row = conn.execute("""INSERT INTO mail_messages (mailbox, uidvalidity, uid, status, class_reasons)
                              VALUES (%s, %s, %s, 'skipped', %s) ON CONFLICT DO NOTHING RETURNING id""",
                           (mailbox, uidvalidity, f.uid,
                            _jsonb([f"{f.size} bytes is over max_message_kb ({box.max_message_kb})"]))).fetchone()
        return {"id": row["id"], "status": "skipped"} if row else None
    p = parse(f.raw)
    if p.message_id and conn.execute("SELECT 1 FROM mail_messages WHERE mailbox = %s AND message_id = %s",
                                     (mailbox, p.message_id)).fetchone():
        return None
    cls = classify(p)
    cid = _candidate_for(conn, cipher, p, box)
    lk = Link(None, 0.0, ["no candidate matches the recipients"])
    if cid is not None:
        apps = conn.execute(_APPS_SQL, (cid, settings.outcomes.link_window_days)).fetchall()
        lk = link(p, apps, settings.outcomes.link_threshold, now)
    if cls.label == "other" and lk.application_id is None:
        status = "ignored"
    else:
        status = "pending" if lk.application_id is not None else "unlinked"
    # In clear only what scheduling needs; the summary and the place may name the candidate (they stay in
    # the encrypted excerpt's message, not here).
    cal = {k: v for k, v in p.calendar[0].as_json().items() if k in ("method", "start", "end", "organizer")} \
        if p.calendar else None
    row = conn.execute(
        """INSERT INTO mail_messages (mailbox, uidvalidity, uid, message_id, sender, sender_domain, reply_to, subject_enc,
                                      excerpt_enc, received_at, candidate_id, application_id, link_confidence,
                                      link_reasons, classification, class_confidence, class_reasons, calendar, status)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (mailbox, uidvalidity, uid) DO NOTHING RETURNING id""",
        (mailbox, uidvalidity, f.uid, p.message_id, p.sender[:320], p.sender_domain[:255],
         p.reply_to[:320] if p.reply_to else None,
         cipher.encrypt(p.subject[:1000], context=_SUBJECT_CONTEXT),
         cipher.encrypt(p.text[:EXCERPT_CHARS], context=_EXCERPT_CONTEXT), p.date, cid, lk.application_id,
         round(lk.confidence, 3), _jsonb(lk.reasons), cls.label, cls.confidence, _jsonb(cls.reasons),
         _jsonb(cal) if cal else None, status)).fetchone()
    if row is None:
        return None
    return {"id": row["id"], "status": status, "classification": cls.label, "application_id": lk.application_id,
            "link_confidence": round(lk.confidence, 3), "candidate_id": cid}


def _jsonb(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value)


def sync(db: Database, cipher: Cipher, settings: Settings, mailbox: str | None = None,
         now: datetime | None = None) -> list[dict[str, Any]]:
    """Read every configured mailbox (or one) and store what is new; returns one summary per mailbox."""
    boxes = settings.outcomes.mailboxes
    if mailbox is not None and mailbox not in boxes:
        raise ConfigError(f"no mailbox {mailbox!r} in [outcomes.mailboxes]; configured: {', '.join(boxes) or 'none'}")
    out = []
    for name, box in boxes.items():
        if mailbox is not None and name != mailbox:
            continue
        state = db.one("SELECT uidvalidity, last_uid FROM mail_sync WHERE mailbox = %s", (name,))
        last = int(state["last_uid"]) if state else 0
        validity, fetched = fetch_new(name, box, last, int(state["uidvalidity"]) if state else None)
        if state and int(state["uidvalidity"]) != validity:
            last = 0
        counts: dict[str, int] = {}
        stored: list[dict[str, Any]] = []
        with db.transaction() as conn:
            for f in fetched:
                res = store(conn, cipher, settings, name, box, validity, f, now)
                if res is not None:
                    stored.append(res)
                    counts[res["status"]] = counts.get(res["status"], 0) + 1
            top = max([last] + [f.uid for f in fetched])
            conn.execute("""INSERT INTO mail_sync (mailbox, uidvalidity, last_uid, synced_at) VALUES (%s, %s, %s, now())
                            ON CONFLICT (mailbox) DO UPDATE SET uidvalidity = EXCLUDED.uidvalidity,
                                last_uid = EXCLUDED.last_uid, synced_at = now()""", (name, validity, top))
            queue.add_event(conn, f"mailbox {name}: {len(fetched)} new message(s) "
                                  + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())), agent="outcomes",
                            data={"mailbox": name, "counts": counts})
        out.append({"mailbox": name, "uidvalidity": validity, "fetched": len(fetched), "counts": counts,
                    "messages": stored})
    return out


def decrypt_message_row(cipher: Cipher, row: dict[str, Any]) -> dict[str, Any]:
    """A stored message for display: subject and excerpt decrypted (show them through safetext.literal)."""
    out = {k: v for k, v in row.items() if not k.endswith("_enc")}
    out["subject"] = cipher.decrypt(row.get("subject_enc"), context=_SUBJECT_CONTEXT)
    out["excerpt"] = cipher.decrypt(row.get("excerpt_enc"), context=_EXCERPT_CONTEXT)
    return out
