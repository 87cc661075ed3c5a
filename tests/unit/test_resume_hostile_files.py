"""Resume files as hostile users send them: bounded, refused clearly, or read (issue 11)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from core.candidates.resume.extract import (
    MAX_UNZIPPED_TOTAL,
    ResumeError,
    read_resume,
    read_resume_bytes,
)

TEXT = "Priya Sharma\npriya@example.com\nSenior Python Developer\nBengaluru, India\n"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_resume_is_read_not_refused_as_binary(codec: str) -> None:
    lines = read_resume_bytes(TEXT.encode(codec), "resume.txt").lines
    assert lines[:4] == ["Priya Sharma", "priya@example.com", "Senior Python Developer", "Bengaluru, India"]


def test_a_folder_is_named_as_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ResumeError, match="is a folder, not a file"):
        read_resume(tmp_path)


def test_a_device_is_not_a_regular_file() -> None:
    with pytest.raises(ResumeError, match="not a regular file"):
        read_resume("/dev/zero")


def test_a_missing_file_is_still_not_found(tmp_path: Path) -> None:
    with pytest.raises(ResumeError, match="not found"):
        read_resume(tmp_path / "nope.pdf")


def test_docx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
        for n in range(3):  # three members of 40 MB each: each under the member cap, 120 MB in all
            zf.writestr(f"word/media/pad{n}.bin", b"\0" * (40 * 1024 * 1024))
    assert len(buf.getvalue()) < 1024 * 1024
    bomb = tmp_path / "resume.docx"
    bomb.write_bytes(buf.getvalue())
    with pytest.raises(ResumeError) as err:
        read_resume(bomb)
    assert f"unpacks to more than {MAX_UNZIPPED_TOTAL // (1024 * 1024)} MB" in str(err.value)
