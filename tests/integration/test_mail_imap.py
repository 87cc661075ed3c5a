"""Reading a shared inbox on a real IMAP server (pymap on loopback): replies in the shapes ATSs and
recruiters send are linked to applications by metadata, classified, and wait for an operator before any
of them counts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.crypto import load_cipher
from core.errors import ConfigError, InvalidInput
from core.outcomes import calibration as cal
from core.outcomes import mail, records
from tests.support.common import settings_with
from tests.support.imap_server import pymap_server
from tests.support.outcomes import add_application, add_candidate, add_job

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "mail"
PASSWORD_ENV = "TALVIX_TEST_IMAP_PASSWORD"

JOBS = [  # key, company, title, url, ats, submitted
    ("greenhouse:acme:1001", "Acme Payments", "Senior Backend Engineer",
     "https://boards.greenhouse.io/acmepayments/jobs/1001", "greenhouse", datetime(2026, 11, 20, 9, tzinfo=UTC)),
    ("lever:zenloop:5f2c", "Zenloop", "Data Engineer", "https://jobs.lever.co/zenloop/5f2c", "lever",
     datetime(2026, 11, 18, 9, tzinfo=UTC)),
    ("ashby:orbitlabs:22aa", "Orbit Labs", "Platform Engineer", "https://jobs.ashbyhq.com/orbitlabs/22aa", "ashby",
     datetime(2026, 11, 25, 9, tzinfo=UTC)),
    ("greenhouse:acme:1002", "Acme Payments", "Site Reliability Engineer",
     "https://boards.greenhouse.io/acmepayments/jobs/1002", "greenhouse", datetime(2026, 11, 21, 9, tzinfo=UTC)),
    ("company:northwind:77", "Northwind Retail Pvt Ltd", "Backend Developer", "https://careers.northwind.in/jobs/77",
     None, datetime(2026, 11, 10, 9, tzinfo=UTC)),
]


@pytest.fixture
def imap(tmp_path):
    with pymap_server(tmp_path) as server:
        yield server


@pytest.fixture
def world(settings, db, imap, monkeypatch):
    """Priya's five submitted applications, and settings with the shared inbox on the loopback server."""
    monkeypatch.setenv(PASSWORD_ENV, imap.password)
    s = settings_with(settings, outcomes={"mailboxes": {"shared": {
        "host": imap.host, "port": imap.port, "tls": False, "username": imap.username,
        "password_env": PASSWORD_ENV, "max_message_kb": 16}}})
    cipher = load_cipher(s)
    apps = {}
    with db.transaction() as conn:
        cid = add_candidate(conn, cipher, "Priya Sharma", "Priya.Sharma@example.in")
        for key, company, title, url, ats, sent in JOBS:
            jid = add_job(conn, key, company, title, url, ats=ats)
            apps[key] = add_application(conn, cid, jid, submitted_at=sent)
    return s, cipher, apps, cid


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def by_uid(db) -> dict[str, dict]:
    rows = db.execute("SELECT * FROM mail_messages ORDER BY uid")
    return {r["message_id"] or f"uid:{r['uid']}": r for r in rows}


def test_a_shared_inbox_is_linked_classified_and_held_for_an_operator(db, imap, world):
    settings, cipher, apps, cid = world
    names = sorted(p.name for p in CORPUS.glob("*.eml"))
    imap.append(*(corpus(n) for n in names))
    big = (b"From: a@b.example\r\nTo: priya.sharma@example.in\r\nSubject: huge\r\nMessage-ID: <big@b.example>\r\n\r\n"
           + b"x" * 20_000 + b"\r\n")
    imap.append(big)

    [summary] = mail.sync(db, cipher, settings)
    assert summary["fetched"] == len(names) + 1
    assert summary["counts"] == {"pending": 8, "unlinked": 3, "ignored": 1, "skipped": 1}
    got = by_uid(db)
    expect = {
        "<gh.ack.7731@us.greenhouse-mail.io>": ("confirmation", "greenhouse:acme:1001", "pending"),
        "<gh.rej.9120@us.greenhouse-mail.io>": ("rejection", "greenhouse:acme:1002", "pending"),
        "<gh.next.3381@us.greenhouse-mail.io>": ("interview", None, "unlinked"),
        "<lever.inv.5f2c@hire.lever.co>": ("interview", "lever:zenloop:5f2c", "pending"),
        "<ashby.asmt.22aa@ashbyhq.com>": ("assessment", "ashby:orbitlabs:22aa", "pending"),
        "<CAF+rm.8812@mail.acmepayments.com>": ("interview", "greenhouse:acme:1001", "pending"),
        "<offer.77.20261202@northwind.in>": ("offer", "company:northwind:77", "pending"),
        "<wd.ack.0042@myworkday.com>": ("confirmation", None, "unlinked"),
        "<alert.55@linkedin.com>": ("other", None, "ignored"),
        "<zl.rej.19@zenloop.io>": ("rejection", "lever:zenloop:5f2c", "pending"),
        "<20261202100500.4411@mail.northwind.in>": ("interview", "company:northwind:77", "pending"),
        "<gh.ack.7790@us.greenhouse-mail.io>": ("confirmation", None, "unlinked"),  # not a candidate's address
    }
    for mid, (cls, key, status) in expect.items():
        row = got[mid]
        assert (row["classification"], row["application_id"], row["status"]) == \
            (cls, apps[key] if key else None, status), (mid, row["link_reasons"], row["class_reasons"])
        assert row["candidate_id"] == (None if mid == "<gh.ack.7790@us.greenhouse-mail.io>" else cid)
    [skipped] = [r for r in got.values() if r["status"] == "skipped"]
    assert skipped["message_id"] is None and "over max_message_kb (16)" in skipped["class_reasons"][0]

    invite = got["<lever.inv.5f2c@hire.lever.co>"]
    assert invite["calendar"] == {"method": "REQUEST", "start": "2026-12-10T15:00:00+05:30",
                                  "end": "2026-12-10T16:00:00+05:30", "organizer": "meera.iyer@zenloop.io"}
    assert invite["reply_to"] == "meera.iyer@zenloop.io"
    assert b"Interview invitation" not in bytes(invite["subject_enc"]), "subjects are encrypted at rest"
    shown = {m["id"]: m for m in records.pending_messages(db, cipher)}
    assert shown[invite["id"]]["subject"] == "Interview invitation: Data Engineer at Zenloop"
    assert shown[invite["id"]]["company"] == "Zenloop"

    # nothing counts before an operator confirms it
    assert db.one("SELECT count(*) AS n FROM outcomes")["n"] == 0 and cal.confirmed_count(db) == 0
    # read-only: the candidate's messages stay unread on the server
    assert not any(b"\\Seen" in f for f in imap.flags())

    # a second read finds nothing new; a new message is read alone
    assert mail.sync(db, cipher, settings)[0]["fetched"] == 0
    imap.append(corpus("10_rejection_after_interview.eml").replace(b"<zl.rej.19@zenloop.io>", b"<zl.rej.20@zenloop.io>"))
    assert mail.sync(db, cipher, settings)[0]["fetched"] == 1


def test_the_operator_confirms_corrects_or_dismisses_each_suggestion(db, imap, world):
    settings, cipher, apps, _ = world
    for n in ("04_lever_interview_with_ics.eml", "03_greenhouse_ambiguous_phone_screen.eml",
              "08_workday_unknown_company.eml", "02_greenhouse_rejection.eml"):
        imap.append(corpus(n))
    mail.sync(db, cipher, settings)
    got = by_uid(db)
    invite, ambiguous = got["<lever.inv.5f2c@hire.lever.co>"], got["<gh.next.3381@us.greenhouse-mail.io>"]
    unknown, rejection = got["<wd.ack.0042@myworkday.com>"], got["<gh.rej.9120@us.greenhouse-mail.io>"]

    done = records.confirm_message(db, cipher, invite["id"], who="op@host")
    assert done["outcome"]["kind"] == "interview" and done["outcome"]["created"]
    out = db.one("SELECT kind, source, status, confirmed_by, details FROM outcomes WHERE id = %s", (done["outcome"]["id"],))
    assert (out["kind"], out["source"], out["status"], out["confirmed_by"]) == ("interview", "mail", "confirmed", "op@host")
    assert out["details"]["calendar"]["start"] == "2026-12-10T15:00:00+05:30"
    prep = db.one("SELECT agent FROM tasks WHERE application_id = %s AND agent = 'interview_prep'",
                  (apps["lever:zenloop:5f2c"],))
    assert prep is not None
    with pytest.raises(InvalidInput, match="already confirmed"):
        records.confirm_message(db, cipher, invite["id"])

    with pytest.raises(InvalidInput, match="not linked to an application: name one"):
        records.confirm_message(db, cipher, ambiguous["id"])
    with db.transaction() as conn:
        other = add_candidate(conn, cipher, "Arjun Rao", "arjun.rao@example.org")
        jid = add_job(conn, "greenhouse:acme:1003", "Acme Payments", "QA Engineer", "https://boards.greenhouse.io/acmepayments/jobs/1003")
        not_hers = add_application(conn, other, jid, submitted_at=datetime(2026, 11, 22, tzinfo=UTC))
    with pytest.raises(InvalidInput, match=f"application {not_hers} is candidate {other}'s"):
        records.confirm_message(db, cipher, ambiguous["id"], application_id=not_hers)
    fixed = records.confirm_message(db, cipher, ambiguous["id"], application_id=apps["greenhouse:acme:1002"])
    assert fixed["outcome"]["kind"] == "interview"
    assert db.one("SELECT details FROM outcomes WHERE id = %s", (fixed["outcome"]["id"],))["details"]["corrected"]

    # a class the operator corrects is recorded as corrected
    relabel = records.confirm_message(db, cipher, rejection["id"], classification="assessment")
    assert relabel["outcome"]["kind"] == "assessment"
    assert db.one("SELECT details FROM outcomes WHERE id = %s", (relabel["outcome"]["id"],))["details"]["corrected"]
    with pytest.raises(InvalidInput, match="unknown classification 'hired'"):
        records.confirm_message(db, cipher, unknown["id"], classification="hired")

    records.dismiss_message(db, unknown["id"], who="op@host", reason="not one of ours")
    assert db.one("SELECT status FROM mail_messages WHERE id = %s", (unknown["id"],))["status"] == "dismissed"
    # calibration counts the two interviews; an assessment is neither a positive nor a negative outcome
    assert cal.confirmed_count(db) == 2
    kinds = sorted(r["kind"] for r in db.execute("SELECT kind FROM outcomes WHERE status = 'confirmed'"))
    assert kinds == ["assessment", "interview", "interview"]


def test_a_refused_login_or_a_missing_password_is_one_line_without_the_secret(db, imap, world, monkeypatch):
    settings, cipher, _, _ = world
    monkeypatch.setenv(PASSWORD_ENV, "wrong-password-123")
    with pytest.raises(mail.MailboxError) as err:
        mail.sync(db, cipher, settings)
    assert str(err.value) == f"mailbox 'shared': login refused for {imap.username}"
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(ConfigError, match=f"environment variable {PASSWORD_ENV} .* is not set"):
        mail.sync(db, cipher, settings)
    with pytest.raises(ConfigError, match="no mailbox 'nope'"):
        mail.sync(db, cipher, settings, mailbox="nope")


def test_the_read_mail_agent_reads_the_mailboxes_through_the_queue(db, imap, world):
    from core import queue
    from core.models import NewTask
    from runners.runner import run_until_idle

    settings, _, apps, _ = world
    imap.append(corpus("05_ashby_assessment.eml"), corpus("09_job_alert_newsletter.eml"))
    task, _ = queue.enqueue(db, NewTask("read_mail", {}))
    run_until_idle(settings, db, agents=["read_mail"], timeout_s=60)
    done = queue.get_task(db, task.id)
    assert done.status == "succeeded", done.last_error
    assert done.result == {"mailboxes": [{"mailbox": "shared", "fetched": 2, "counts": {"pending": 1, "ignored": 1}}]}
    row = db.one("SELECT application_id, classification FROM mail_messages WHERE status = 'pending'")
    assert row == {"application_id": apps["ashby:orbitlabs:22aa"], "classification": "assessment"}
