"""The outbox: one row per key written with its cause, sent once, with the provider's id or its error."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from core import queue
from core.crypto import load_cipher
from core.errors import InvalidInput, NeedsHuman, NotFound, PermanentError, RetryLater
from core.notify import outbox, prefs
from core.notify.sender import deliver
from core.notify.settings import NotifySettings
from core.storage import Storage
from tests.support.notify_setup import (
    EMAIL,
    PHONE_DIGITS,
    add_application,
    add_candidate,
    claim_notify,
    self_signed,
)
from tests.support.wa_fakes import FakeWhatsApp, SmtpSink

NO_QUIET = {"quiet_start": time(0, 0), "quiet_end": time(0, 0)}


@pytest.fixture
def waha():
    server = FakeWhatsApp("waha").start()
    yield server
    server.stop()


def _cfg(env: dict[str, str]) -> NotifySettings:
    return NotifySettings.from_env(env)


def _queue(db, cand, app=None, *, template="application_submitted", channels=("whatsapp",), period="once",
           context=None):
    with db.transaction() as conn:
        prefs.save(conn, cand, **NO_QUIET)
        return outbox.notify(conn, template=template, candidate_id=cand, application_id=app, period=period,
                             channels=list(channels), context=context or {})


def test_a_notification_is_one_row_per_key_written_with_its_task(db, settings):
    cand = add_candidate(db, settings)
    app = add_application(db, cand)
    first = _queue(db, cand, app, channels=("whatsapp", "email"))
    again = _queue(db, cand, app, channels=("whatsapp", "email"))
    assert [q.created for q in first] == [True, True] and [q.created for q in again] == [False, False]
    assert [q.id for q in first] == [q.id for q in again]
    assert first[0].key == f"application:{app}:application_submitted:once:whatsapp"
    rows = db.execute("SELECT n.id, n.task_id, t.agent, t.payload FROM notifications n JOIN tasks t ON t.id = n.task_id")
    assert len(rows) == 2 and all(r["agent"] == "notify" and r["payload"] == {"notification_id": r["id"]} for r in rows)


def test_a_rolled_back_cause_leaves_no_notification_and_no_task(db, settings):
    cand = add_candidate(db, settings)
    with pytest.raises(RuntimeError):
        with db.transaction() as conn:
            outbox.notify(conn, template="weekly_summary", candidate_id=cand, period="2026-W48")
            raise RuntimeError("the causing event failed")
    assert db.one("SELECT count(*) AS n FROM notifications")["n"] == 0
    assert db.one("SELECT count(*) AS n FROM tasks")["n"] == 0


def test_unknown_template_is_refused(db, settings):
    cand = add_candidate(db, settings)
    with pytest.raises(InvalidInput, match="unknown notification template"):
        with db.transaction() as conn:
            outbox.notify(conn, template="nope", candidate_id=cand)


def test_whatsapp_via_waha_is_sent_once_with_the_provider_id(db, settings, waha):
    cand = add_candidate(db, settings)
    app = add_application(db, cand, company="Acme & Sons")
    [q] = _queue(db, cand, app, context={"documents": ["resume.pdf", "cover-letter.pdf"]})
    task = claim_notify(db)
    out = deliver(db, settings, q.id, task, cfg=_cfg(waha.env()))
    assert out["status"] == "sent" and out["provider"] == "waha"
    assert waha.state.checks == [PHONE_DIGITS]  # checked before the first message
    [msg] = waha.state.sent
    assert msg["to"] == PHONE_DIGITS and "Acme & Sons" in msg["text"] and "resume.pdf" in msg["text"]
    row = db.one("SELECT * FROM notifications WHERE id = %s", (q.id,))
    assert row["status"] == "sent" and row["provider_ref"] == msg["id"] and row["sent_at"] is not None
    # Delivering the same row again (a retried task) sends nothing.
    assert deliver(db, settings, q.id, task, cfg=_cfg(waha.env()))["already"] is True
    assert len(waha.state.sent) == 1


def test_a_number_not_on_whatsapp_is_suppressed_without_sending(db, settings, waha):
    waha.state.not_on_whatsapp.add(PHONE_DIGITS)
    cand = add_candidate(db, settings)
    [q] = _queue(db, cand, add_application(db, cand))
    out = deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(waha.env()))
    assert out["status"] == "suppressed" and waha.state.sent == []
    assert "not on WhatsApp" in db.one("SELECT error FROM notifications WHERE id = %s", (q.id,))["error"]


def test_evolution_not_on_whatsapp_error_body_suppresses(db, settings):
    server = FakeWhatsApp("evolution").start()
    try:
        cand = add_candidate(db, settings)
        with db.transaction() as conn:  # already checked once: the send itself meets the 400 body
            conn.execute("INSERT INTO wa_number_checks (to_hash, provider, on_whatsapp) VALUES (%s, 'evolution', true)",
                         (load_cipher(settings).lookup_hash(PHONE_DIGITS),))
        [q] = _queue(db, cand, add_application(db, cand))
        server.state.not_on_whatsapp.add(PHONE_DIGITS)
        out = deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(server.env()))
        assert out["status"] == "suppressed" and server.state.sent == [] and server.state.checks == []
        assert db.one("SELECT status, error FROM notifications")["error"].startswith("evolution answered 400")
        # The provider's "not on WhatsApp" forgets the cached answer: the next message asks again.
        assert db.one("SELECT count(*) AS n FROM wa_number_checks")["n"] == 0
        [q2] = _queue(db, cand, add_application(db, cand, title="Analyst"))
        assert deliver(db, settings, q2.id, claim_notify(db), cfg=_cfg(server.env()))["status"] == "suppressed"
        assert server.state.checks == [PHONE_DIGITS] and server.state.sent == []
    finally:
        server.stop()


def test_evolution_send_records_key_id(db, settings):
    server = FakeWhatsApp("evolution").start()
    try:
        cand = add_candidate(db, settings)
        [q] = _queue(db, cand, add_application(db, cand))
        out = deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(server.env()))
        [msg] = server.state.sent
        assert out["provider_ref"] == msg["id"] and msg["id"].startswith("BAE5") and msg["instance"] == "talvix"
    finally:
        server.stop()


def test_cloud_api_uses_the_approved_template_outside_the_24_hour_window(db, settings):
    server = FakeWhatsApp("cloud").start()
    try:
        cand = add_candidate(db, settings)
        [q] = _queue(db, cand, add_application(db, cand, title="ML Engineer", company="Zed"))
        out = deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(server.env()))
        [msg] = server.state.sent
        assert msg["type"] == "template" and msg["template"]["name"] == "talvix_application_submitted"
        params = [p["text"] for p in msg["template"]["components"][0]["parameters"]]
        assert params == ["Asha", "ML Engineer", "Zed"] and out["provider_ref"].startswith("wamid.")
    finally:
        server.stop()


def test_cloud_api_sends_free_text_inside_the_window_and_falls_back_on_131047(db, settings):
    from core.crypto import load_cipher

    server = FakeWhatsApp("cloud").start()
    try:
        cand = add_candidate(db, settings)
        db.execute("""INSERT INTO inbound_messages (provider, provider_msg_id, from_hash, candidate_id)
                      VALUES ('cloud', 'wamid.in1', %s, %s)""", (load_cipher(settings).lookup_hash(PHONE_DIGITS), cand))
        [q1] = _queue(db, cand, add_application(db, cand))
        server.state.cloud_window_closed = False
        deliver(db, settings, q1.id, claim_notify(db), cfg=_cfg(server.env()))
        assert server.state.sent[-1]["type"] == "text"
        # The API says the window closed after all (131047): the template goes instead, once.
        server.state.cloud_window_closed = True
        [q2] = _queue(db, cand, add_application(db, cand, title="Other"))
        deliver(db, settings, q2.id, claim_notify(db), cfg=_cfg(server.env()))
        assert [m["type"] for m in server.state.sent] == ["text", "template"]
    finally:
        server.stop()


def test_a_provider_rate_limit_postpones_without_sending(db, settings, waha):
    waha.state.rate_limit_next = 1
    cand = add_candidate(db, settings)
    [q] = _queue(db, cand, add_application(db, cand))
    with pytest.raises(RetryLater) as info:
        deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(waha.env()))
    assert info.value.delay_s == 2.0
    row = db.one("SELECT status, error FROM notifications WHERE id = %s", (q.id,))
    assert row["status"] == "pending" and "429" in row["error"] and waha.state.sent == []


def test_a_provider_5xx_is_retried_and_a_final_failure_keeps_the_providers_error(db, settings, waha):
    waha.state.fail_5xx_next = 10
    cand = add_candidate(db, settings)
    [q] = _queue(db, cand, add_application(db, cand))
    task = claim_notify(db)
    with pytest.raises(RuntimeError, match="session is not ready"):
        deliver(db, settings, q.id, task, cfg=_cfg(waha.env()))
    assert db.one("SELECT status FROM notifications WHERE id = %s", (q.id,))["status"] == "pending"
    task.max_attempts = task.attempts  # as if this were the last attempt
    with pytest.raises(PermanentError, match="session is not ready"):
        deliver(db, settings, q.id, task, cfg=_cfg(waha.env()))
    row = db.one("SELECT status, error FROM notifications WHERE id = %s", (q.id,))
    assert row["status"] == "failed" and "waha answered 500: session is not ready" in row["error"]


def test_our_own_rate_limit_holds_the_channel_across_runners(db, settings, waha):
    cand = add_candidate(db, settings)
    app = add_application(db, cand)
    [q1] = _queue(db, cand, app, period="a")
    [q2] = _queue(db, cand, app, period="b")
    cfg = _cfg({**waha.env(), "TALVIX_NOTIFY_WHATSAPP_PER_MINUTE": "1"})
    deliver(db, settings, q1.id, claim_notify(db), cfg=cfg)
    with pytest.raises(RetryLater, match="rate limit"):
        deliver(db, settings, q2.id, claim_notify(db), cfg=cfg)
    assert len(waha.state.sent) == 1
    assert db.one("SELECT status FROM notifications WHERE id = %s", (q2.id,))["status"] == "pending"


def test_quiet_hours_in_the_candidates_timezone_hold_the_message(db, settings, waha):
    cand = add_candidate(db, settings)
    [q] = _queue(db, cand, add_application(db, cand))
    now_utc = db.one("SELECT now() AS n")["n"].astimezone(UTC)
    # A quiet window around "now" in Kolkata: start one hour ago, end in one hour (local time).
    from zoneinfo import ZoneInfo
    local = now_utc.astimezone(ZoneInfo("Asia/Kolkata"))
    start = (local.replace(minute=0, second=0, microsecond=0)).time()
    end = time((local.hour + 1) % 24, 59)
    with db.transaction() as conn:
        prefs.save(conn, cand, quiet_start=start, quiet_end=end)
    with pytest.raises(RetryLater, match="quiet hours") as info:
        deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(waha.env()))
    assert 0 < info.value.delay_s <= 2 * 3600 and waha.state.sent == []
    assert db.one("SELECT not_before FROM notifications WHERE id = %s", (q.id,))["not_before"] > now_utc


def test_quiet_until_wraps_midnight():
    p = prefs.Prefs(1, timezone="Asia/Kolkata", quiet_start=time(21, 0), quiet_end=time(8, 0))
    # 23:30 IST = 18:00 UTC -> quiet until 08:00 IST next day = 02:30 UTC
    until = prefs.quiet_until(p, datetime(2026, 12, 2, 18, 0, tzinfo=UTC))
    assert until == datetime(2026, 12, 3, 2, 30, tzinfo=UTC)
    assert prefs.quiet_until(p, datetime(2026, 12, 2, 6, 0, tzinfo=UTC)) is None  # 11:30 IST


def test_an_opted_out_channel_gets_a_suppressed_row_and_no_task(db, settings):
    cand = add_candidate(db, settings)
    with db.transaction() as conn:
        prefs.opt_out(conn, cand, ["whatsapp"])
        out = outbox.notify(conn, template="weekly_summary", candidate_id=cand, period="2026-W49",
                            channels=["whatsapp", "email"])
    assert [(q.channel, q.status) for q in out] == [("whatsapp", "suppressed"), ("email", "pending")]
    assert db.one("SELECT count(*) AS n FROM tasks")["n"] == 1


def test_a_row_found_sending_goes_to_a_person_and_is_never_resent(db, settings, waha):
    cand = add_candidate(db, settings)
    [q] = _queue(db, cand, add_application(db, cand))
    db.execute("UPDATE notifications SET status = 'sending', sending_at = now() WHERE id = %s", (q.id,))
    with pytest.raises(NeedsHuman, match="never sent twice"):
        deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(waha.env()))
    assert db.one("SELECT status FROM notifications WHERE id = %s", (q.id,))["status"] == "unknown"
    assert waha.state.sent == [] and waha.state.requests == []


def test_email_over_starttls_with_login_and_attachments(db, settings, tmp_path):
    ctx, cert = self_signed(tmp_path)
    smtp = SmtpSink(auth=("talvix@example.test", "s3cret"), tls_context=ctx, require_tls=True).start()
    try:
        storage = Storage(settings.storage_path)
        storage.ensure()
        resume = storage.write("tailored", "1", "resume.pdf", data=b"%PDF-1.4 resume")
        cand = add_candidate(db, settings)
        app = add_application(db, cand, company="Acme <b>& Sons</b>")
        [q] = _queue(db, cand, app, channels=("email",),
                     context={"documents": ["resume.pdf"], "attachments": [resume.relpath]})
        env = {"SMTP_SERVER": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SENDER_EMAIL": "talvix@example.test",
               "SENDER_PASSWORD": "s3cret", "SMTP_SECURITY": "starttls", "SMTP_CA_FILE": str(cert)}
        out = deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(env), storage=storage)
        [mail] = smtp.messages
        assert smtp.envelopes[0][1] == [EMAIL] and mail["Subject"].startswith("Applied: Data Engineer")
        assert out["provider_ref"] == mail["Message-ID"].strip("<>")
        parts = {p.get_content_type(): p for p in mail.walk()}
        assert "Acme <b>& Sons</b>" in parts["text/plain"].get_payload(decode=True).decode()
        html = parts["text/html"].get_payload(decode=True).decode()
        assert "Acme &lt;b&gt;&amp; Sons&lt;/b&gt;" in html and "<b>" not in html  # autoescaped
        att = [p for p in mail.walk() if p.get_filename() == "resume.pdf"]
        assert att and att[0].get_payload(decode=True) == b"%PDF-1.4 resume"
    finally:
        smtp.stop()


def test_email_a_refused_recipient_fails_with_the_servers_answer(db, settings):
    smtp = SmtpSink(refuse_rcpt=EMAIL).start()
    try:
        cand = add_candidate(db, settings)
        [q] = _queue(db, cand, add_application(db, cand), channels=("email",))
        env = {"SMTP_SERVER": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SENDER_EMAIL": "t@example.test",
               "SMTP_SECURITY": "none"}
        with pytest.raises(PermanentError, match="550"):
            deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(env))
        row = db.one("SELECT status, error FROM notifications WHERE id = %s", (q.id,))
        assert row["status"] == "failed" and "mailbox unavailable" in row["error"] and smtp.messages == []
    finally:
        smtp.stop()


def test_email_over_implicit_ssl(db, settings, tmp_path):
    ctx, cert = self_signed(tmp_path)
    smtp = SmtpSink(tls_context=ctx, implicit_tls=True).start()
    try:
        cand = add_candidate(db, settings)
        [q] = _queue(db, cand, add_application(db, cand), channels=("email",))
        env = {"SMTP_SERVER": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SENDER_EMAIL": "t@example.test",
               "SMTP_SECURITY": "ssl", "SMTP_CA_FILE": str(cert)}
        assert deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(env))["status"] == "sent"
        assert len(smtp.messages) == 1
    finally:
        smtp.stop()


def test_a_wrong_smtp_password_fails_with_the_servers_answer(db, settings, tmp_path):
    ctx, cert = self_signed(tmp_path)
    smtp = SmtpSink(auth=("u@example.test", "right"), tls_context=ctx).start()
    try:
        cand = add_candidate(db, settings)
        [q] = _queue(db, cand, add_application(db, cand), channels=("email",))
        env = {"SMTP_SERVER": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SENDER_EMAIL": "u@example.test",
               "SENDER_PASSWORD": "wrong", "SMTP_CA_FILE": str(cert)}
        with pytest.raises(PermanentError, match="SMTP login refused: 535"):
            deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(env))
        row = db.one("SELECT status, error FROM notifications WHERE id = %s", (q.id,))
        assert row["status"] == "failed" and "wrong" not in row["error"] and smtp.messages == []
    finally:
        smtp.stop()


def test_the_weekly_summary_is_once_per_week_with_the_weeks_counts(db, settings):
    from core.notify import triggers

    cand = add_candidate(db, settings)
    app = add_application(db, cand)
    db.execute("UPDATE applications SET submitted_at = now() WHERE id = %s", (app,))
    add_application(db, cand, title="Other", status="needs_human")
    with db.transaction() as conn:
        first = triggers.weekly_summary(conn, cand, "2026-W49")
        again = triggers.weekly_summary(conn, cand, "2026-W49")
    assert all(q.created for q in first) and not any(q.created for q in again)
    ctx = db.one("SELECT context FROM notifications WHERE id = %s", (first[0].id,))["context"]
    assert (ctx["submitted"], ctx["waiting"], ctx["interviews"]) == (1, 1, 0)


def test_a_marker_left_by_a_task_that_died_becomes_unknown(db, settings, waha):
    cand = add_candidate(db, settings)
    app = add_application(db, cand)
    [stranded] = _queue(db, cand, app, period="x")
    db.execute("""UPDATE notifications SET status = 'sending', sending_at = now() - interval '5 minutes'
                   WHERE id = %s""", (stranded.id,))
    db.execute("UPDATE tasks SET status = 'dead' WHERE id = (SELECT task_id FROM notifications WHERE id = %s)",
               (stranded.id,))
    [other] = _queue(db, cand, app, period="y")
    deliver(db, settings, other.id, claim_notify(db), cfg=_cfg(waha.env()))
    row = db.one("SELECT status, error FROM notifications WHERE id = %s", (stranded.id,))
    assert row["status"] == "unknown" and "stopped for good" in row["error"]
    assert len(waha.state.sent) == 1


def test_interview_invitation_attaches_the_prep_pack_to_the_email(db, settings):
    from core.notify import triggers

    smtp = SmtpSink().start()
    try:
        storage = Storage(settings.storage_path)
        storage.ensure()
        pack = storage.write("tailored", "7", "prep-pack.pdf", data=b"%PDF prep")
        cand = add_candidate(db, settings)
        app = add_application(db, cand, company="Zed")
        with db.transaction() as conn:
            prefs.save(conn, cand, channels=["email"], **NO_QUIET)
            [q] = triggers.on_interview(conn, app, when="Mon 7 Dec, 11:00 IST", prep_pack=pack.relpath)
        env = {"SMTP_SERVER": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SENDER_EMAIL": "t@example.test",
               "SMTP_SECURITY": "none"}
        deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(env), storage=storage)
        [mail] = smtp.messages
        assert mail["Subject"] == "Interview invitation: Data Engineer at Zed"
        assert [p.get_filename() for p in mail.walk() if p.get_filename()] == ["prep-pack.pdf"]
    finally:
        smtp.stop()


def test_email_whose_answer_is_lost_after_the_data_goes_to_a_person(db, settings):
    smtp = SmtpSink(drop_after_data=True).start()
    try:
        cand = add_candidate(db, settings)
        [q] = _queue(db, cand, add_application(db, cand), channels=("email",))
        env = {"SMTP_SERVER": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SENDER_EMAIL": "t@example.test",
               "SMTP_SECURITY": "none"}
        task = claim_notify(db)
        with pytest.raises(NeedsHuman, match="may or may not"):
            deliver(db, settings, q.id, task, cfg=_cfg(env))
        assert len(smtp.messages) == 1
        assert db.one("SELECT status FROM notifications WHERE id = %s", (q.id,))["status"] == "unknown"
        with pytest.raises(NeedsHuman):  # a retry never sends it again
            deliver(db, settings, q.id, task, cfg=_cfg(env))
        assert len(smtp.messages) == 1
    finally:
        smtp.stop()


def test_a_question_for_an_unconfigured_whatsapp_is_skipped_not_moved_to_email(db, settings):
    smtp = SmtpSink().start()
    try:
        cand = add_candidate(db, settings)
        [q] = _queue(db, cand, add_application(db, cand), template="needs_answer", period="task1:why:0",
                     context={"task_id": 1, "question": "Why us?", "field": "why"})
        env = {"SMTP_SERVER": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SENDER_EMAIL": "t@example.test",
               "SMTP_SECURITY": "none"}
        out = deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(env))
        assert out["status"] == "skipped" and out["instead"] is None
        row = db.one("SELECT status, error FROM notifications WHERE id = %s", (q.id,))
        assert row["status"] == "skipped" and "WA_PROVIDER" in row["error"] and "read on whatsapp only" in row["error"]
        assert db.one("SELECT count(*) AS n FROM notifications")["n"] == 1 and smtp.messages == []
    finally:
        smtp.stop()


def test_whether_a_number_is_on_whatsapp_is_asked_once_per_number_not_per_message(db, settings, waha):
    cand = add_candidate(db, settings)
    for title in ("Data Engineer", "Analyst", "Architect"):
        [q] = _queue(db, cand, add_application(db, cand, title=title))
        assert deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(waha.env()))["status"] == "sent"
    assert waha.state.checks == [PHONE_DIGITS] and len(waha.state.sent) == 3
    row = db.one("SELECT provider, on_whatsapp, checked_at FROM wa_number_checks")
    assert row["provider"] == "waha" and row["on_whatsapp"] is True and row["checked_at"] is not None
    # A new number for the candidate is a new number: asked before its first message.
    cipher = load_cipher(settings)
    db.execute("UPDATE candidates SET phone_enc = %s WHERE id = %s",
               (cipher.encrypt("+91 98450 11111", context=b"phone"), cand))
    [q] = _queue(db, cand, add_application(db, cand, title="Lead"))
    assert deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(waha.env()))["status"] == "sent"
    assert waha.state.checks == [PHONE_DIGITS, "919845011111"]


def test_a_number_found_not_on_whatsapp_is_not_asked_again_for_the_next_message(db, settings, waha):
    waha.state.not_on_whatsapp.add(PHONE_DIGITS)
    cand = add_candidate(db, settings)
    for title in ("Data Engineer", "Analyst"):
        [q] = _queue(db, cand, add_application(db, cand, title=title))
        assert deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(waha.env()))["status"] == "suppressed"
    assert waha.state.checks == [PHONE_DIGITS] and waha.state.sent == []
    # After a week it is asked again (the number may have joined WhatsApp since).
    db.execute("UPDATE wa_number_checks SET checked_at = now() - interval '8 days'")
    waha.state.not_on_whatsapp.clear()
    [q] = _queue(db, cand, add_application(db, cand, title="Lead"))
    assert deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(waha.env()))["status"] == "sent"
    assert waha.state.checks == [PHONE_DIGITS, PHONE_DIGITS]


def test_an_operator_sends_a_failed_notification_again_once(db, settings, waha):
    waha.state.fail_5xx_next = 10
    cand = add_candidate(db, settings)
    [q] = _queue(db, cand, add_application(db, cand))
    task = claim_notify(db)
    task.max_attempts = task.attempts  # its last attempt: the provider's 500 fails it for good
    with pytest.raises(PermanentError):
        deliver(db, settings, q.id, task, cfg=_cfg(waha.env()))
    queue.fail(db, task, "session is not ready", retry=False)
    assert db.one("SELECT status FROM notifications WHERE id = %s", (q.id,))["status"] == "failed"
    waha.state.fail_5xx_next = 0  # the gateway is back
    task_id = outbox.retry(db, q.id, who="op")
    with pytest.raises(InvalidInput, match="is pending"):
        outbox.retry(db, q.id, who="op")  # pressed twice: one send queued
    again = claim_notify(db)
    assert again.id == task_id
    assert deliver(db, settings, q.id, again, cfg=_cfg(waha.env()))["status"] == "sent"
    assert len(waha.state.sent) == 1
    row = db.one("SELECT status, error, task_id FROM notifications WHERE id = %s", (q.id,))
    assert row["status"] == "sent" and row["error"] is None and row["task_id"] == task_id
    with pytest.raises(InvalidInput, match="is sent"):
        outbox.retry(db, q.id, who="op")
    assert db.one("SELECT count(*) AS n FROM operator_actions WHERE action = 'notification_retry'")["n"] == 1


def test_a_skipped_notification_is_sent_once_its_channel_is_configured_but_never_twice(db, settings, waha):
    cand = add_candidate(db, settings)
    app = add_application(db, cand)
    [q] = _queue(db, cand, app)  # WhatsApp only, and WhatsApp is not configured here yet
    assert deliver(db, settings, q.id, claim_notify(db), cfg=_cfg({}))["status"] == "skipped"
    outbox.retry(db, q.id, who="op")  # the operator set WA_PROVIDER and WA_GATEWAY_URL
    assert deliver(db, settings, q.id, claim_notify(db), cfg=_cfg(waha.env()))["status"] == "sent"
    assert len(waha.state.sent) == 1
    # A row skipped while its message went by email instead is not sent again on WhatsApp.
    smtp = SmtpSink().start()
    try:
        with db.transaction() as conn:
            prefs.save(conn, cand, channels=["whatsapp", "email"], **NO_QUIET)
            [w] = outbox.notify(conn, template="application_submitted", candidate_id=cand, application_id=app,
                                period="second", channels=["whatsapp"], context={})
        env = {"SMTP_SERVER": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SENDER_EMAIL": "t@example.test",
               "SMTP_SECURITY": "none"}
        out = deliver(db, settings, w.id, claim_notify(db), cfg=_cfg(env))
        assert out["status"] == "skipped" and out["instead"] is not None
        with pytest.raises(InvalidInput, match=f"already went .* by email as notification {out['instead']}"):
            outbox.retry(db, w.id, who="op")
    finally:
        smtp.stop()
    with pytest.raises(NotFound):
        outbox.retry(db, 999_999, who="op")
