"""Artifacts under the storage root: fixed folders, safe names, content hashes."""

import hashlib

import pytest

from core.errors import TalvixError
from core.storage import Storage, record_artifact, safe_name


def test_names_cannot_escape_the_root(tmp_path):
    s = Storage(tmp_path / "storage")
    s.ensure()
    f = s.write("screenshots", 12, "../../etc/passwd", data=b"x")
    assert f.path.is_relative_to((tmp_path / "storage").resolve())
    assert f.relpath == "screenshots/12/etc_passwd"
    assert safe_name("..") == "file" and safe_name("a b/c\\d\x00.png") == "a_b_c_d.png"
    with pytest.raises(TalvixError):
        s.write("../outside", "x", data=b"")
    with pytest.raises(TalvixError):
        s.resolve("../../x")


def test_write_is_atomic_and_hashed_and_recorded(tmp_path, db):
    s = Storage(tmp_path)
    data = b"%PDF-1.4 resume"
    f = s.write("tailored", 7, "resume.pdf", data=data)
    assert f.sha256 == hashlib.sha256(data).hexdigest() and f.size == len(data)
    assert not [p for p in f.path.parent.iterdir() if p.name.startswith(".tmp-")]
    with db.connection() as conn:
        aid = record_artifact(conn, "tailored_resume", f, application_id=7)
    row = db.one("SELECT path, sha256 FROM artifacts WHERE id = %s", (aid,))
    assert row == {"path": "tailored/7/resume.pdf", "sha256": f.sha256}
    assert s.hash_file(s.resolve(row["path"])) == f.sha256
