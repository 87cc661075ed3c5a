"""``talvix notify test``, ``talvix notifications`` and ``talvix webhook`` as an operator runs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import signal
import subprocess
from datetime import time

import httpx
import pytest

from core.notify import outbox, prefs
from tests.support.notify_runner import talvix, wait_until
from tests.support.notify_setup import add_application, add_candidate, free_port
from tests.support.wa_fakes import FakeWhatsApp, SmtpSink


@pytest.fixture
def smtp():
    sink = SmtpSink(refuse_rcpt="nobody@example.test").start()
    yield sink
    sink.stop()


def _smtp_env(smtp) -> dict[str, str]:
    return {"SMTP_SERVER": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SENDER_EMAIL": "talvix@example.test",
            "SMTP_SECURITY": "none"}


def test_notify_test_email_sends_and_prints_success(run_talvix, smtp):
    r = run_talvix("notify", "test", "--channel", "email", "--to", "asha@example.test", env=_smtp_env(smtp))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("sent: email test to as***@example.test via smtp")
    assert "asha@example.test" not in r.stdout + r.stderr
    [mail] = smtp.messages
    assert mail["Subject"] == "Talvix test message" and mail["To"] == "asha@example.test"


def test_notify_test_prints_the_servers_error_on_one_line(run_talvix, smtp):
    r = run_talvix("notify", "test", "--channel", "email", "--to", "nobody@example.test", env=_smtp_env(smtp))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    [line] = r.stderr.strip().splitlines()
    assert "550" in line and "mailbox unavailable" in line


def test_notify_test_whatsapp_through_waha_and_a_number_not_on_whatsapp(run_talvix):
    waha = FakeWhatsApp("waha").start()
    try:
        r = run_talvix("notify", "test", "--channel", "whatsapp", "--to", "+91 98765 43210", "--json", env=waha.env())
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert out["ok"] and out["provider_ref"] == waha.state.sent[0]["id"] and out["to"] == "+91******3210"
        waha.state.not_on_whatsapp.add("919876500000")
        r = run_talvix("notify", "test", "--channel", "whatsapp", "--to", "+91 98765 00000", env=waha.env())
        assert r.returncode == 1 and "not on WhatsApp" in r.stderr and len(waha.state.sent) == 1
    finally:
        waha.stop()


def test_notify_test_refuses_bad_input_and_missing_settings(run_talvix):
    r = run_talvix("notify", "test", "--channel", "email", "--to", "not-an-address")
    assert r.returncode == 2 and "not an email address" in r.stderr
    r = run_talvix("notify", "test", "--channel", "whatsapp", "--to", "12")
    assert r.returncode == 2 and "not a" in r.stderr
    r = run_talvix("notify", "test", "--channel", "email", "--to", "a@example.test")
    assert r.returncode == 1 and "SMTP_SERVER" in r.stderr
    r = run_talvix("notify", "test", "--channel", "email", "--to", "a@example.test", env={"SMTP_SECURITY": "tls"})
    assert r.returncode == 2 and "SMTP_SECURITY" in r.stderr


def test_notifications_lists_the_outbox(run_talvix, db, settings):
    cand = add_candidate(db, settings)
    app = add_application(db, cand)
    with db.transaction() as conn:
        outbox.notify(conn, template="application_submitted", candidate_id=cand, application_id=app)
    r = run_talvix("notifications", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [(x["channel"], x["status"]) for x in rows] == [("email", "pending"), ("whatsapp", "pending")]
    r = run_talvix("notifications")
    assert r.returncode == 0 and "application_submitted" in r.stdout
    r = run_talvix("notifications", "--status", "nope")
    assert r.returncode == 2
    # Sending again is only for what surely did not go out: a pending row is refused, a failed one re-queued.
    first = rows[0]["id"]
    r = run_talvix("notify", "retry", str(first))
    assert r.returncode != 0 and "only a failed or skipped notification is sent again" in r.stderr
    assert "Traceback" not in r.stderr
    db.execute("UPDATE notifications SET status = 'failed', error = 'smtp answered 550' WHERE id = %s", (first,))
    r = run_talvix("notify", "retry", str(first), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["notification"] == first and out["status"] == "pending"
    assert db.one("SELECT task_id FROM notifications WHERE id = %s", (first,))["task_id"] == out["task"]


def test_webhook_refuses_unsigned_requests_and_takes_signed_ones(talvix_env, db, settings, tmp_path):
    cand = add_candidate(db, settings)
    with db.transaction() as conn:
        prefs.save(conn, cand, quiet_start=time(0, 0), quiet_end=time(0, 0))
    port = free_port()
    log = open(tmp_path / "webhook.log", "wb")
    proc = subprocess.Popen(talvix("webhook", "--port", str(port)), env={**talvix_env, "WA_WEBHOOK_SECRET": "k"},
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        def up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
            except httpx.TransportError:
                return False
        wait_until(up, message="the webhook listening")
        raw = json.dumps({"event": "message", "payload": {"id": "m1", "from": "919876543210@c.us", "fromMe": False,
                                                          "body": "STOP"}}).encode()
        assert httpx.post(f"http://127.0.0.1:{port}/webhook/waha", content=raw).status_code == 401
        sig = hmac.new(b"k", raw, hashlib.sha512).hexdigest()
        r = httpx.post(f"http://127.0.0.1:{port}/webhook/waha", content=raw, headers={"X-Webhook-Hmac": sig})
        assert r.status_code == 200 and r.json()["outcomes"] == ["unknown_sender"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    text = (tmp_path / "webhook.log").read_text()
    lines = [json.loads(x) for x in text.splitlines() if x.strip()]
    assert any(x.get("event") == "webhook.refused" for x in lines)
    assert "919876543210" not in text and "STOP" not in text  # no number, no body in the logs


def test_notify_prefs_shows_and_sets_a_candidates_preferences(run_talvix, db, settings):
    cand = add_candidate(db, settings)
    r = run_talvix("notify", "prefs", str(cand), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"candidate_id": cand, "channels": ["whatsapp", "email"], "language": "en",
                                    "timezone": "Asia/Kolkata", "quiet": "21:00-08:00", "opted_out": [],
                                    "candidate_decides": False}
    r = run_talvix("notify", "prefs", str(cand), "--channels", "email", "--language", "hi", "--quiet", "22:30-07:00",
                   "--candidate-decides", "yes", "--timezone", "Asia/Dubai", "--json")
    out = json.loads(r.stdout)
    assert (out["channels"], out["language"], out["quiet"], out["candidate_decides"], out["timezone"]) == (
        ["email"], "hi", "22:30-07:00", True, "Asia/Dubai")
    for bad, words in ((["--timezone", "Mars/Base"], "unknown timezone"), (["--quiet", "late"], "HH:MM-HH:MM"),
                       (["--channels", "sms"], "unknown channel")):
        r = run_talvix("notify", "prefs", str(cand), *bad)
        assert r.returncode == 2 and words in r.stderr, r.stderr
    assert run_talvix("notify", "prefs", "999").returncode == 2


def test_a_channel_that_is_not_configured_is_skipped_or_falls_back_never_a_failing_task(run_talvix, db, settings,
                                                                                       smtp):
    """Only email is configured. A candidate who wants WhatsApp then email gets the message by email; one who
    wants WhatsApp only gets a skipped row naming the setting; neither leaves a failing or dead task."""
    both = add_candidate(db, settings)
    wa_only = add_candidate(db, settings, name="Ravi Kumar", email="ravi@example.test", phone="+91 98450 11111")
    with db.transaction() as conn:
        prefs.save(conn, both, quiet_start=time(0, 0), quiet_end=time(0, 0), channels=["whatsapp", "email"])
        prefs.save(conn, wa_only, quiet_start=time(0, 0), quiet_end=time(0, 0), channels=["whatsapp"])
        [first] = outbox.notify(conn, template="application_submitted", candidate_id=both,
                                application_id=add_application(db, both), channels=["whatsapp"])
        [second] = outbox.notify(conn, template="weekly_summary", candidate_id=wa_only, period="2026-W49")
    r = run_talvix("runner", "--agents", "notify", "--exit-when-idle", env=_smtp_env(smtp), timeout=90)
    assert r.returncode == 0, r.stderr

    rows = {x["id"]: x for x in json.loads(run_talvix("notifications", "--json").stdout)}
    skipped = rows[first.id]
    assert skipped["status"] == "skipped" and "WA_PROVIDER" in skipped["error"]
    [instead] = [x for x in rows.values() if x["candidate_id"] == both and x["channel"] == "email"]
    assert instead["status"] == "sent" and f"sent by email instead (notification {instead['id']})" in skipped["error"]
    assert instead["idempotency_key"].endswith(":application_submitted:once:email")
    assert [m["To"] for m in smtp.messages] == ["asha.rao@example.test"]
    alone = rows[second.id]
    assert alone["status"] == "skipped" and "WA_PROVIDER" in alone["error"]
    assert "no other configured channel" in alone["error"]
    tasks = db.execute("SELECT status, attempts FROM tasks WHERE agent = 'notify'")
    assert tasks and all(t["status"] == "succeeded" and t["attempts"] == 1 for t in tasks), tasks
    # The operator sees why on the table too.
    r = run_talvix("notifications", "--status", "skipped", env={"COLUMNS": "250"})
    assert r.returncode == 0 and "skipped" in r.stdout and "sent by email instead" in r.stdout
