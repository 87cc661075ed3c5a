""""Application submitted" carries the tailored documents on WhatsApp too, in each provider's documented
media shape (WAHA sendFile, Evolution v2 sendMedia, the Cloud API's media upload then a document message),
and a document that does not go never makes the text go twice."""

from __future__ import annotations

from datetime import time

import pytest

from core.crypto import load_cipher
from core.notify import outbox, prefs
from core.notify.sender import deliver
from core.notify.settings import NotifySettings
from core.storage import Storage
from tests.support.notify_setup import PHONE_DIGITS, add_application, add_candidate, claim_notify
from tests.support.wa_fakes import FakeWhatsApp

RESUME = b"%PDF-1.4 tailored resume"
COVER = b"%PDF-1.4 cover letter"


@pytest.fixture
def stored(settings):
    storage = Storage(settings.storage_path)
    storage.ensure()
    resume = storage.write("tailored", "1", "resume.pdf", data=RESUME)
    cover = storage.write("cover-letters", "1", "cover-letter.pdf", data=COVER)
    return storage, [resume.relpath, cover.relpath]


def _submitted(db, settings, paths):
    cand = add_candidate(db, settings)
    app = add_application(db, cand, documents={"resume": {"path": paths[0]}, "cover_letter": {"path": paths[1]}})
    with db.transaction() as conn:
        prefs.save(conn, cand, quiet_start=time(0, 0), quiet_end=time(0, 0), channels=["whatsapp"])
        from core.notify import triggers

        [q] = triggers.on_submitted(conn, app)
    return cand, q


def _in_window(db, settings):
    """The candidate wrote to us an hour ago: the Cloud API's 24-hour window is open."""
    db.execute("""INSERT INTO inbound_messages (provider, provider_msg_id, from_hash, received_at)
                  VALUES ('cloud', 'wamid.in1', %s, now() - interval '1 hour')""",
               (load_cipher(settings).lookup_hash(PHONE_DIGITS),))


@pytest.mark.parametrize("kind", ["waha", "evolution", "cloud"])
def test_application_submitted_sends_the_documents_after_the_text(db, settings, stored, kind):
    storage, paths = stored
    server = FakeWhatsApp(kind).start()
    try:
        server.state.cloud_window_closed = False
        cand, q = _submitted(db, settings, paths)
        if kind == "cloud":
            _in_window(db, settings)
        out = deliver(db, settings, q.id, claim_notify(db), cfg=NotifySettings.from_env(server.env()),
                      storage=storage)
        assert out["status"] == "sent" and out["not_attached"] == {}
        [text] = server.state.sent
        assert "Data Engineer" in text["text"] and text["id"] == out["provider_ref"]
        got = {f["filename"]: f for f in server.state.files}
        assert sorted(got) == ["cover-letter.pdf", "resume.pdf"]
        assert got["resume.pdf"]["data"] == RESUME and got["cover-letter.pdf"]["data"] == COVER
        assert {f["mimetype"] for f in got.values()} == {"application/pdf"}
        assert {f["to"] for f in got.values()} == {PHONE_DIGITS}
        if kind == "evolution":
            assert {f["mediatype"] for f in got.values()} == {"document"}
        if kind == "cloud":  # uploaded first, then named by its media id
            assert {f["media_id"] for f in got.values()} == set(server.state.media)
        assert out["documents"] == {name: f["id"] for name, f in got.items()}
        row = db.one("SELECT status, error FROM notifications WHERE id = %s", (q.id,))
        assert row == {"status": "sent", "error": None}
        event = db.one("SELECT message, data FROM events WHERE message LIKE %s", (f"notification {q.id} %sent via%",))
        assert "with 2 document(s)" in event["message"] and set(event["data"]["documents"]) == set(got)
    finally:
        server.stop()


def test_cloud_api_outside_the_window_sends_the_template_and_says_the_documents_did_not_go(db, settings, stored):
    storage, paths = stored
    server = FakeWhatsApp("cloud").start()
    try:
        cand, q = _submitted(db, settings, paths)
        out = deliver(db, settings, q.id, claim_notify(db), cfg=NotifySettings.from_env(server.env()),
                      storage=storage)
        assert out["status"] == "sent" and server.state.files == [] and server.state.media == {}
        [msg] = server.state.sent
        assert msg["type"] == "template"
        error = db.one("SELECT error FROM notifications WHERE id = %s", (q.id,))["error"]
        assert "sent without a document" in error and "resume.pdf" in error and "24-hour window" in error
    finally:
        server.stop()


def test_a_document_the_gateway_refuses_is_reported_and_the_text_is_not_sent_again(db, settings, stored):
    storage, paths = stored
    server = FakeWhatsApp("waha").start()
    try:
        server.state.refuse_files = True
        cand, q = _submitted(db, settings, paths)
        task = claim_notify(db)
        cfg = NotifySettings.from_env(server.env())
        out = deliver(db, settings, q.id, task, cfg=cfg, storage=storage)
        assert out["status"] == "sent" and sorted(out["not_attached"]) == ["cover-letter.pdf", "resume.pdf"]
        row = db.one("SELECT status, error FROM notifications WHERE id = %s", (q.id,))
        assert row["status"] == "sent" and "waha answered 500" in row["error"]
        assert deliver(db, settings, q.id, task, cfg=cfg, storage=storage)["already"] is True
        assert len(server.state.sent) == 1 and server.state.files == []
    finally:
        server.stop()


def test_the_outbox_row_names_the_documents_it_carries(db, settings, stored):
    _, paths = stored
    cand, q = _submitted(db, settings, paths)
    ctx = db.one("SELECT context FROM notifications WHERE id = %s", (q.id,))["context"]
    assert ctx["documents"] == ["resume.pdf", "cover-letter.pdf"] and ctx["attachments"] == paths
    assert outbox.list_outbox(db)[0]["template"] == "application_submitted"
