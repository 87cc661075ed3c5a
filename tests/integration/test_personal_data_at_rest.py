"""Personal data at rest (issue 11): answer sheets and task results are sealed, artifacts can be encrypted.

Each test reads what an attacker with the disk or a database dump would read (the raw row text, the raw
file bytes) and looks for the candidate's email and phone.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from core import queue
from core.apply_engine.answers import Answer, AnswerSheet
from core.apply_engine.engine import ApplyEngine, ApplyRequest, Documents
from core.browse import pages as browse
from core.crypto import MASK, load_cipher, open_sealed, seal_answer_sheets
from core.queue import NewTask
from core.storage import MAGIC, Storage

EMAIL = "asha.rao@example.com"
PHONE = "+919845012345"


def _sheet() -> AnswerSheet:
    return AnswerSheet([
        Answer("Email", "email", "text", True, EMAIL, "profile:identity.email", 1.0),
        Answer("Phone", "phone", "text", True, PHONE, "profile:identity.phone", 1.0),
        Answer("Why us?", "why", "textarea", True, None, None, 0.0),
    ])


def _application(db) -> int:
    db.execute("INSERT INTO candidates (id, full_name) VALUES (1, 'Asha Rao')")
    db.execute("INSERT INTO jobs (id, canonical_key, source) VALUES (1, 'sandbox:x:1', 'sandbox')")
    db.execute("INSERT INTO applications (id, candidate_id, job_id, status) VALUES (1, 1, 1, 'applying')")
    return 1


def test_the_engine_stores_the_answer_sheet_sealed(settings, db):
    app_id = _application(db)
    engine = ApplyEngine(settings, db, Storage.from_settings(settings))
    req = ApplyRequest(application_id=app_id, url="http://127.0.0.1/", profile={}, documents=Documents())
    engine._save_sheet(req, _sheet())
    raw = db.one("SELECT answer_sheet::text AS t, answer_sheet AS j FROM applications WHERE id = %s", (app_id,))
    assert EMAIL not in raw["t"] and PHONE not in raw["t"] and "98450" not in raw["t"]
    # the shape stays readable without the key: labels, sources and what is unanswered
    assert "Email" in raw["t"] and "profile:identity.email" in raw["t"] and "Why us?" in raw["t"]
    opened = open_sealed(load_cipher(settings), raw["j"])
    assert [f["value"] for f in opened["fields"]] == [EMAIL, PHONE, None]


def test_a_parked_task_result_is_sealed_and_the_console_opens_it(settings, db):
    app_id = _application(db)
    cipher = load_cipher(settings)
    queue.enqueue(db, NewTask("apply", {"application_id": app_id}, application_id=app_id))
    [task] = queue.claim(db, ["apply"], 1, "r", 30)
    result = seal_answer_sheets(cipher, {"answer_sheet": {"fields": _sheet().fields()}, "unanswered": ["Why us?"]})
    queue.park(db, task, "awaiting_approval", "policy: always ask", result=result)
    raw = db.one("SELECT result::text AS t FROM tasks WHERE id = %s", (task.id,))["t"]
    assert EMAIL not in raw and PHONE not in raw

    shown = browse.approval_detail(db, f"task:{task.id}", cipher=cipher)
    assert [f["value"] for f in shown["fields"]][:2] == [EMAIL, PHONE]
    masked = browse.approval_detail(db, f"task:{task.id}")
    assert [f["value"] for f in masked["fields"]][:2] == [MASK, MASK]
    assert EMAIL not in json.dumps(browse.task_detail(db, task.id), default=str)


def test_a_sealed_value_written_with_another_key_is_refused_clearly(settings, db, tmp_path):
    from core.config import load_settings
    from core.crypto import generate_key
    from core.errors import TalvixError

    sealed = seal_answer_sheets(load_cipher(settings), {"fields": _sheet().fields()})
    other = load_cipher(load_settings(data_dir=tmp_path, encryption_key=generate_key()))
    with pytest.raises(TalvixError, match="TALVIX_ENCRYPTION_KEY differs"):
        open_sealed(other, sealed)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_storage_encrypts_personal_folders_and_reads_them_back(settings):
    storage = Storage(settings.storage_path, cipher=load_cipher(settings), encrypt=True)
    storage.ensure()
    text = f"ASHA RAO\n{EMAIL} | {PHONE}\n"
    stored = storage.write("parsed-resumes", "originals", "cv.txt", data=text)
    raw = stored.path.read_bytes()
    assert raw.startswith(MAGIC) and EMAIL.encode() not in raw and PHONE.encode() not in raw
    assert storage.read(stored.relpath) == text.encode()
    assert storage.hash_file(stored.path) == stored.sha256  # the plaintext's hash, as recorded
    plain = storage.plain(stored.path)
    assert plain != stored.path and plain.name == "cv.txt" and plain.read_text() == text
    assert _mode(plain) == 0o600 and _mode(plain.parent) == 0o700
    # a job description holds no personal data: left as it is
    jd = storage.write("jds", "1.json", data='{"title": "x"}')
    assert jd.path.read_bytes() == b'{"title": "x"}' and storage.plain(jd.path) == jd.path
    # 0600 files, 0700 folders
    for p in (stored.path, jd.path):
        assert _mode(p) == 0o600
    for folder in ("parsed-resumes", "parsed-resumes/originals", "jds", "screenshots", "tailored"):
        assert _mode(settings.storage_path / folder) == 0o700, folder


def test_an_encrypted_file_with_the_wrong_key_or_altered_is_refused(settings, tmp_path):
    from core.config import load_settings
    from core.crypto import generate_key
    from core.errors import TalvixError

    storage = Storage(settings.storage_path, cipher=load_cipher(settings), encrypt=True)
    stored = storage.write("tailored", "1", "resume.txt", data=EMAIL)
    other = Storage(settings.storage_path, cipher=load_cipher(load_settings(data_dir=tmp_path, encryption_key=generate_key())))
    with pytest.raises(TalvixError, match="cannot decrypt resume.txt"):
        other.read(stored.path)
    blob = bytearray(stored.path.read_bytes())
    blob[-1] ^= 1
    stored.path.write_bytes(bytes(blob))
    with pytest.raises(TalvixError, match="altered"):
        storage.read(stored.path)


def test_files_are_plain_without_the_setting_but_still_0600(settings):
    storage = Storage.from_settings(settings)
    assert storage.encrypt is False
    stored = storage.write("cover-letters", "1", "letter.txt", data=EMAIL)
    assert stored.path.read_bytes() == EMAIL.encode() and _mode(stored.path) == 0o600
    assert _mode(stored.path.parent) == 0o700


def test_an_operators_edited_answers_are_sealed_in_the_payload_event_and_audit(settings, db):
    app_id = _application(db)
    cipher = load_cipher(settings)
    queue.enqueue(db, NewTask("apply", {"application_id": app_id}, application_id=app_id))
    [task] = queue.claim(db, ["apply"], 1, "r", 30)
    queue.park(db, task, "awaiting_approval", "policy: always ask")
    approved = queue.approve(db, task.id, who="op@test", edits={"Phone": "+91 90000 11111"}, cipher=cipher)
    raw = db.one("""SELECT (SELECT payload::text FROM tasks WHERE id = %(id)s) AS payload,
                           (SELECT string_agg(coalesce(data::text, '') || message, ' ') FROM events WHERE task_id = %(id)s) AS events,
                           (SELECT string_agg(coalesce(details::text, ''), ' ') FROM operator_actions) AS audit""",
                 {"id": task.id})
    for where, text in raw.items():
        assert "90000" not in (text or ""), where
    assert open_sealed(cipher, approved.payload["approval"]["edits"]) == {"Phone": "+91 90000 11111"}


def test_the_apply_engine_uploads_the_plaintext_of_encrypted_documents(settings):
    from core.apply_engine.engine import resolve_documents

    storage = Storage(settings.storage_path, cipher=load_cipher(settings), encrypt=True)
    pdf = storage.write("tailored", "7", "Asha_Rao_Resume.pdf", data=b"%PDF-1.4 " + EMAIL.encode())
    letter = storage.write("cover-letters", "7", "letter.txt", data=f"Dear team, write to {EMAIL}")
    original = storage.write("parsed-resumes", "originals", "cv.txt", data=EMAIL)
    assert all(f.path.read_bytes().startswith(MAGIC) for f in (pdf, letter, original))
    docs = resolve_documents(storage, {"resume_pdf": {"path": pdf.relpath}, "cover_letter_txt": {"path": letter.relpath}},
                             original.relpath)
    assert docs.resume.name == "Asha_Rao_Resume.pdf" and docs.resume.read_bytes() == b"%PDF-1.4 " + EMAIL.encode()
    assert docs.cover_letter_text == f"Dear team, write to {EMAIL}"
    only_original = resolve_documents(storage, None, original.relpath)
    assert only_original.resume.read_text() == EMAIL
