"""Candidates' replies through the webhook endpoint: signatures checked, every reply an event, answers
resume the application, STOP opts out, YES/NO only where the candidate may decide."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import time

import httpx
import pytest
from psycopg.types.json import Jsonb

from core.crypto import load_cipher
from core.notify import outbox, prefs
from core.notify.sender import deliver
from core.notify.settings import NotifySettings
from core.notify.webhook import WebhookServer
from tests.support.notify_setup import (
    PHONE_DIGITS,
    add_application,
    add_candidate,
    claim_notify,
)
from tests.support.wa_fakes import FakeWhatsApp

SECRET = "hook-secret"
APP_SECRET = "cloud-app-secret"


@pytest.fixture
def waha():
    server = FakeWhatsApp("waha").start()
    yield server
    server.stop()


@pytest.fixture
def hook(db, settings):
    cfg = NotifySettings.from_env({"WA_WEBHOOK_SECRET": SECRET, "WA_CLOUD_APP_SECRET": APP_SECRET,
                                   "WA_CLOUD_VERIFY_TOKEN": "verify-me"}).whatsapp
    server = WebhookServer(db, load_cipher(settings), cfg, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _waha_body(text: str, msg_id: str, number: str = PHONE_DIGITS) -> bytes:
    return json.dumps({"event": "message", "session": "default", "payload": {
        "id": msg_id, "timestamp": 1700000000, "from": f"{number}@c.us", "fromMe": False, "body": text,
        "hasMedia": False}}).encode()


def post_waha(hook, text: str, msg_id: str, *, sign: bool = True, key: str = SECRET) -> httpx.Response:
    raw = _waha_body(text, msg_id)
    headers = {"Content-Type": "application/json"}
    if sign:
        headers.update({"X-Webhook-Hmac": hmac.new(key.encode(), raw, hashlib.sha512).hexdigest(),
                        "X-Webhook-Hmac-Algorithm": "sha512"})
    return httpx.post(f"http://127.0.0.1:{hook.port}/webhook/waha", content=raw, headers=headers)


def _parked_apply(db, app_id: int, cand: int, questions: list[tuple[str, str]]) -> int:
    sheet = {"fields": [{"label": label, "name": name, "type": "text", "required": True, "value": None,
                         "source": None, "confidence": 0.0} for name, label in questions],
             "unanswered": [label for _, label in questions]}
    db.execute("UPDATE applications SET status = 'needs_human', answer_sheet = %s WHERE id = %s", (Jsonb(sheet), app_id))
    row = db.one("""INSERT INTO tasks (agent, payload, status, application_id, candidate_id, attempts, last_error)
                    VALUES ('apply', %s, 'needs_human', %s, %s, 1, 'required question(s) without a confident answer')
                    RETURNING id""", (Jsonb({"application_id": app_id}), app_id, cand))
    return int(row["id"])


def _ask(db, settings, waha, cand, app, task_id, questions, template="needs_answer"):
    with db.transaction() as conn:
        prefs.save(conn, cand, quiet_start=time(0, 0), quiet_end=time(0, 0))
        for name, label in questions:
            outbox.notify(conn, template=template, candidate_id=cand, application_id=app, period=name,
                          channels=["whatsapp"], context={"task_id": task_id, "question": label, "field": name})
    cfg = NotifySettings.from_env(waha.env())
    for _ in questions:
        task = claim_notify(db)
        assert deliver(db, settings, task.payload["notification_id"], task, cfg=cfg)["status"] == "sent"


def test_a_reply_to_needs_your_answer_fills_the_sheet_and_resumes_the_application(db, settings, waha, hook):
    cand = add_candidate(db, settings)
    app = add_application(db, cand, status="needs_human")
    questions = [("notice", "What is your notice period?"), ("ctc", "Expected CTC (INR per year)?")]
    task_id = _parked_apply(db, app, cand, questions)
    _ask(db, settings, waha, cand, app, task_id, questions)
    assert "What is your notice period?" in waha.state.sent[0]["text"]

    r = post_waha(hook, "30 days", "false_1@c.us_A1")
    assert r.status_code == 200 and r.json()["outcomes"] == ["answered"]
    assert db.one("SELECT status FROM tasks WHERE id = %s", (task_id,))["status"] == "needs_human"  # one still open

    r = post_waha(hook, "  24 lakh  ", "false_1@c.us_A2")
    assert r.json()["outcomes"] == ["resumed"]
    task = db.one("SELECT status, attempts, payload FROM tasks WHERE id = %s", (task_id,))
    assert task["status"] == "queued" and task["attempts"] == 0
    assert task["payload"]["answers"] == {"notice": "30 days", "ctc": "24 lakh"}
    assert "approval" not in task["payload"]  # answering is not approving
    sheet = db.one("SELECT answer_sheet FROM applications WHERE id = %s", (app,))["answer_sheet"]
    assert {f["name"]: f["value"] for f in sheet["fields"]} == {"notice": "30 days", "ctc": "24 lakh"}
    assert sheet["unanswered"] == []
    events = [e["message"] for e in db.execute("SELECT message FROM events WHERE agent = 'notify' AND kind = 'audit' ORDER BY id")]
    assert any("answered 'What is your notice period?'" in m for m in events)
    # The body is stored encrypted, never in clear.
    raw = db.one("SELECT body_enc FROM inbound_messages ORDER BY id LIMIT 1")["body_enc"]
    assert b"30 days" not in bytes(raw)
    assert load_cipher(settings).decrypt(raw, context=b"inbound") == "30 days"


def test_a_redelivered_webhook_is_handled_once(db, settings, waha, hook):
    cand = add_candidate(db, settings)
    app = add_application(db, cand, status="needs_human")
    task_id = _parked_apply(db, app, cand, [("notice", "Notice period?")])
    _ask(db, settings, waha, cand, app, task_id, [("notice", "Notice period?")])
    assert post_waha(hook, "60 days", "false_x_1").json()["outcomes"] == ["resumed"]
    assert post_waha(hook, "60 days", "false_x_1").json()["outcomes"] == ["duplicate"]
    assert db.one("SELECT count(*) AS n FROM inbound_messages")["n"] == 1


def test_stop_opts_the_candidate_out_and_suppresses_what_was_waiting(db, settings, waha, hook):
    cand = add_candidate(db, settings)
    app = add_application(db, cand)
    _ask(db, settings, waha, cand, app, None, [("x", "Anything?")])
    with db.transaction() as conn:
        [later] = outbox.notify(conn, template="weekly_summary", candidate_id=cand, period="2026-W49",
                                channels=["email"])
    assert post_waha(hook, "stop", "false_s_1").json()["outcomes"] == ["opted_out"]
    with db.transaction() as conn:
        assert set(prefs.load(conn, cand).opted_out) == {"email", "whatsapp"}
    assert db.one("SELECT status FROM notifications WHERE id = %s", (later.id,))["status"] == "suppressed"


@pytest.mark.parametrize("decides,expected", [(True, "approved"), (False, "for_operator")])
def test_yes_approves_only_when_the_candidate_may_decide(db, settings, waha, hook, decides, expected):
    cand = add_candidate(db, settings)
    app = add_application(db, cand, status="awaiting_approval")
    task = db.one("""INSERT INTO tasks (agent, payload, status, application_id, candidate_id)
                     VALUES ('apply', %s, 'awaiting_approval', %s, %s) RETURNING id""",
                  (Jsonb({"application_id": app}), app, cand))["id"]
    with db.transaction() as conn:
        prefs.save(conn, cand, candidate_decides=decides)
    _ask(db, settings, waha, cand, app, task, [("approval", "")], template="approval_request")
    assert post_waha(hook, "Yes", "false_y_1").json()["outcomes"] == [expected]
    row = db.one("SELECT status, payload FROM tasks WHERE id = %s", (task,))
    if decides:
        assert row["status"] == "queued" and row["payload"]["approval"]["by"].startswith(f"candidate {cand}")
    else:
        assert row["status"] == "awaiting_approval"
        assert db.one("SELECT count(*) AS n FROM events WHERE message LIKE %s",
                      ("%leaves the decision to an operator%",))["n"] == 1


def test_no_rejects_and_withdraws_when_the_candidate_may_decide(db, settings, waha, hook):
    cand = add_candidate(db, settings)
    app = add_application(db, cand, status="awaiting_approval")
    task = db.one("""INSERT INTO tasks (agent, payload, status, application_id, candidate_id)
                     VALUES ('apply', %s, 'awaiting_approval', %s, %s) RETURNING id""",
                  (Jsonb({"application_id": app}), app, cand))["id"]
    with db.transaction() as conn:
        prefs.save(conn, cand, candidate_decides=True)
    _ask(db, settings, waha, cand, app, task, [("approval", "")], template="approval_request")
    assert post_waha(hook, "NO", "false_n_1").json()["outcomes"] == ["rejected"]
    assert db.one("SELECT status FROM tasks WHERE id = %s", (task,))["status"] == "cancelled"
    assert db.one("SELECT status FROM applications WHERE id = %s", (app,))["status"] == "withdrawn"


def test_an_unrecognised_reply_goes_to_the_operator_and_changes_nothing(db, settings, waha, hook):
    cand = add_candidate(db, settings)
    app = add_application(db, cand)
    with db.transaction() as conn:
        prefs.save(conn, cand, quiet_start=time(0, 0), quiet_end=time(0, 0))
        outbox.notify(conn, template="application_submitted", candidate_id=cand, application_id=app,
                      channels=["whatsapp"])
    task = claim_notify(db)
    deliver(db, settings, task.payload["notification_id"], task, cfg=NotifySettings.from_env(waha.env()))
    assert post_waha(hook, "who is this?", "false_u_1").json()["outcomes"] == ["for_operator"]
    ev = db.one("SELECT level, message FROM events WHERE message LIKE 'unrecognised reply%'")
    assert ev["level"] == "warning" and "who is this" not in ev["message"]


def test_unsigned_or_wrongly_signed_waha_webhooks_are_refused_and_logged(db, settings, hook):
    assert post_waha(hook, "STOP", "m1", sign=False).status_code == 401
    assert post_waha(hook, "STOP", "m2", key="not-the-secret").status_code == 401
    assert db.one("SELECT count(*) AS n FROM inbound_messages")["n"] == 0
    refused = db.execute("SELECT message FROM events WHERE message LIKE 'webhook waha refused%' ORDER BY id")
    assert [("unsigned" in r["message"], "wrong" in r["message"]) for r in refused] == [(True, False), (False, True)]


def test_evolution_webhook_needs_its_secret_header(db, settings, waha, hook):
    body = json.dumps({"event": "messages.upsert", "instance": "talvix", "data": {
        "key": {"remoteJid": f"{PHONE_DIGITS}@s.whatsapp.net", "fromMe": False, "id": "3EB0EVO1"},
        "pushName": "Asha", "message": {"conversation": "hello"}, "messageType": "conversation"}}).encode()
    url = f"http://127.0.0.1:{hook.port}/webhook/evolution"
    assert httpx.post(url, content=body).status_code == 401
    assert httpx.post(url, content=body, headers={"X-Webhook-Secret": "nope"}).status_code == 401
    r = httpx.post(url, content=body, headers={"X-Webhook-Secret": SECRET})
    assert r.status_code == 200 and r.json()["outcomes"] == ["unknown_sender"]


def test_cloud_webhook_checks_x_hub_signature_256_and_the_verification_handshake(db, settings, hook):
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1098765"},
                                       "contacts": [{"profile": {"name": "Asha"}, "wa_id": PHONE_DIGITS}],
                                       "messages": [{"from": PHONE_DIGITS, "id": "wamid.IN1", "timestamp": "1700000000",
                                                     "type": "text", "text": {"body": "hi"}}]}}]}]}).encode()
    url = f"http://127.0.0.1:{hook.port}/webhook/cloud"
    bad = "sha256=" + hmac.new(b"other", body, hashlib.sha256).hexdigest()
    assert httpx.post(url, content=body, headers={"X-Hub-Signature-256": bad}).status_code == 401
    good = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    r = httpx.post(url, content=body, headers={"X-Hub-Signature-256": good})
    assert r.status_code == 200 and r.json()["outcomes"] == ["unknown_sender"]
    ok = httpx.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.text == "1158201444"
    assert httpx.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1"}).status_code == 403
