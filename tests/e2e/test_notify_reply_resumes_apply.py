"""The whole loop in a real Chromium: the form asks what the profile cannot answer, the candidate is asked
on WhatsApp (in the apply task's parking transaction), their signed reply fills the answer sheet and resumes
the application, which is then submitted with that answer, and "application submitted" goes out once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import time

import httpx
import pytest

from core import queue
from core.crypto import load_cipher
from core.models import NewTask
from core.notify import prefs
from core.notify.settings import NotifySettings
from core.notify.webhook import WebhookServer
from tests.support.wa_fakes import FakeWhatsApp

try:  # the test helpers move to tests/support/ with the layout
    from tests.support.apply_helpers import (
        THANKS,
        PageServer,
        company_form,
        make_application,
        tune,
    )
except ImportError:  # pragma: no cover - before the move
    from tests.apply_helpers import (
        THANKS,
        PageServer,
        company_form,
        make_application,
        tune,
    )

QUESTION = "Why do you want to join us?"
EXTRA = f'<div><label for="why">{QUESTION} *</label><input id="why" name="why" required></div>'


@pytest.fixture
def waha():
    server = FakeWhatsApp("waha").start()
    yield server
    server.stop()


def test_a_whatsapp_reply_resumes_the_application_and_it_is_submitted_with_the_answer(settings, db, waha, monkeypatch):
    from runners.runner import run_until_idle

    for k, v in {**waha.env(), "WA_WEBHOOK_SECRET": "s", "TALVIX_NOTIFY_WHATSAPP_PER_MINUTE": "100"}.items():
        monkeypatch.setenv(k, v)
    pages = PageServer({"/form": company_form(extra=EXTRA), "/apply/thanks": THANKS})
    hook = WebhookServer(db, load_cipher(settings), NotifySettings.from_env().whatsapp, port=0)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        tune(settings)
        url = pages.url("/form")
        ids = make_application(db, settings, url, policy="never")
        with db.transaction() as conn:
            prefs.save(conn, ids["candidate_id"], quiet_start=time(0, 0), quiet_end=time(0, 0), channels=["whatsapp"])
        task, _ = queue.enqueue(db, NewTask("apply", {"application_id": ids["application_id"]},
                                            application_id=ids["application_id"], candidate_id=ids["candidate_id"],
                                            job_id=ids["job_id"]))
        run_until_idle(settings, db, ["apply", "notify"], concurrency=2, timeout_s=120)
        parked = queue.get_task(db, task.id)
        assert parked.status == "needs_human" and QUESTION in parked.last_error
        [asked] = waha.state.sent
        assert QUESTION in asked["text"] and asked["to"] == "919845000000"
        assert pages.posts == []

        raw = json.dumps({"event": "message", "session": "default", "payload": {
            "id": "false_919845000000@c.us_R1", "from": "919845000000@c.us", "fromMe": False,
            "body": "I love your data platform"}}).encode()
        sig = hmac.new(b"s", raw, hashlib.sha512).hexdigest()
        r = httpx.post(f"http://127.0.0.1:{hook.port}/webhook/waha", content=raw,
                       headers={"X-Webhook-Hmac": sig, "X-Webhook-Hmac-Algorithm": "sha512"})
        assert r.json()["outcomes"] == ["resumed"]

        run_until_idle(settings, db, ["apply", "notify"], concurrency=2, timeout_s=120)
        done = queue.get_task(db, task.id)
        assert done.status == "succeeded", done.last_error
        [post] = pages.posts
        assert post["fields"]["why"] == ["I love your data platform"]
        app = db.one("SELECT status, answer_sheet FROM applications WHERE id = %s", (ids["application_id"],))
        assert app["status"] == "submitted"
        # The answer is labelled as the candidate's (their WhatsApp reply), never as an operator's edit.
        [why] = [f for f in app["answer_sheet"]["fields"] if f.get("name") == "why"]
        assert why["source"] == "candidate (whatsapp reply)"
        assert done.payload["answer_sources"] == {"why": "candidate (whatsapp reply)"}
        # "Application submitted" was queued with the completion and went out once.
        assert [m["text"].splitlines()[0] for m in waha.state.sent[1:]] == ["Hi Asha,"]
        rows = db.execute("SELECT template, status FROM notifications ORDER BY id")
        assert [(r["template"], r["status"]) for r in rows] == [("needs_answer", "sent"),
                                                                ("application_submitted", "sent")]
    finally:
        hook.shutdown()
        hook.server_close()
        pages.close()
