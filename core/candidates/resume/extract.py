"""Resume files to text lines: PDF (pypdf), DOCX (python-docx, tables included), TXT and Markdown.

The file type is decided by its first bytes, not its name, so a renamed file is still read correctly and
a file that only pretends to be a PDF is reported as corrupt. Every failure is a :class:`ResumeError`
whose one-line message tells the operator what to do with the file.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import TalvixError

MAX_BYTES = 20 * 1024 * 1024
#: Characters of text a resume may have (a long CV has ~30 000). The parser's time grows with the text, so
#: a file that is mostly text but no resume (a 5 MB single line took 40 s) is refused, not parsed.
MAX_CHARS = 300_000


class ResumeError(TalvixError):
    """A resume that cannot be read: corrupt, empty, encrypted, image-only or of an unknown type."""


@dataclass
class ResumeText:
    format: str  # pdf | docx | txt | md
    lines: list[str]
    pages: int | None = None


def read_resume(path: str | Path) -> ResumeText:
    """The resume's text as non-empty lines, in reading order."""
    p = Path(path)
    if not p.exists():
        raise ResumeError(f"resume file not found: {p}")
    if p.is_dir():
        raise ResumeError(f"resume {p} is a folder, not a file; give the path of the resume file in it")
    if not p.is_file():
        raise ResumeError(f"resume {p} is not a regular file (a device, pipe or socket); give a PDF, DOCX or text file")
    size = p.stat().st_size
    if size == 0:
        raise ResumeError(f"resume {p.name} is empty (0 bytes); upload the real file")
    if size > MAX_BYTES:
        raise ResumeError(f"resume {p.name} is {size // (1024 * 1024)} MB; the limit is 20 MB")
    data = p.read_bytes()
    return read_resume_bytes(data, p.name)


def read_resume_bytes(data: bytes, name: str = "resume") -> ResumeText:
    if not data.strip():
        raise ResumeError(f"resume {name} is empty; upload the real file")
    suffix = Path(name).suffix.lower()
    if data.startswith(b"%PDF-") or data[:1024].lstrip().startswith(b"%PDF-"):
        text = _pdf(data, name)
    elif data.startswith(b"PK\x03\x04"):
        text = _docx(data, name)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ResumeError(f"resume {name} is a legacy Word .doc file; save it as DOCX or PDF and add it again")
    elif suffix in (".pdf", ".docx"):
        raise ResumeError(f"resume {name} is not a valid {suffix[1:].upper()} file (corrupt or mislabelled); "
                          "export it again")
    else:
        text = _plain(data, name, "md" if suffix in (".md", ".markdown") else "txt")
    if not any(line.strip() for line in text.lines):
        raise ResumeError(f"resume {name} has no text; upload a resume with content")
    chars = sum(len(line) for line in text.lines)
    if chars > MAX_CHARS:
        raise ResumeError(f"resume {name} has {chars:,} characters of text; a resume has at most {MAX_CHARS:,} "
                          "(about 100 pages): give the resume itself")
    return text


# ------------------------------------------------------------------------------------------------
# PDF
# ------------------------------------------------------------------------------------------------
def _pdf(data: bytes, name: str) -> ResumeText:
    import logging

    from pypdf import PasswordType, PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns on every odd object; we report once
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many "protected" PDFs only restrict printing and open with an empty password.
            if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise ResumeError(f"resume {name} is a password-protected PDF; upload an unprotected copy")
        pages = list(reader.pages)
    except ResumeError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            NotImplementedError, RecursionError) as exc:
        raise ResumeError(f"resume {name} is a corrupt PDF ({type(exc).__name__}); export it again") from None
    if not pages:
        raise ResumeError(f"resume {name} is a corrupt PDF (no pages); export it again")
    lines: list[str] = []
    images = 0
    for page in pages:
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # pypdf raises many types on damaged content streams
            raise ResumeError(f"resume {name} is a corrupt PDF ({type(exc).__name__}); export it again") from None
        lines.extend(text.splitlines())
        images += _image_count(page)
    if not any(_is_text(line) for line in lines):
        if images:
            raise ResumeError(f"resume {name} is image-only (a scan with no text layer); "
                              "upload a text PDF or DOCX, or OCR it first")
        raise ResumeError(f"resume {name} has no text; upload a resume with content")
    return ResumeText("pdf", _clean_lines(lines), pages=len(pages))


def _image_count(page: object) -> int:
    try:
        resources = page.get("/Resources") or {}  # type: ignore[attr-defined]
        xobjects = resources.get("/XObject") or {}
        return sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")
    except Exception:
        return 0


def _is_text(line: str) -> bool:
    return bool(re.search(r"[A-Za-z0-9]", line))


# ------------------------------------------------------------------------------------------------
# DOCX
# ------------------------------------------------------------------------------------------------
def _docx(data: bytes, name: str) -> ResumeText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "word/document.xml" not in zf.namelist():
                raise ResumeError(f"resume {name} is a ZIP archive but not a Word DOCX; upload PDF, DOCX or text")
            _check_unzipped_size(zf, name)
        document = docx.Document(io.BytesIO(data))
    except ResumeError:
        raise
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise ResumeError(f"resume {name} is a corrupt DOCX ({type(exc).__name__}); export it again") from None
    except Exception as exc:  # lxml errors on damaged XML
        raise ResumeError(f"resume {name} is a corrupt DOCX ({type(exc).__name__}); export it again") from None
    lines: list[str] = []

    def table_lines(table: Table) -> None:
        for row in table.rows:
            cells = []
            seen: set[int] = set()
            for cell in row.cells:  # merged cells repeat: keep each once
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                cells.append(cell)
            texts = [[p.text for p in c.paragraphs if p.text.strip()] for c in cells]
            nested = [t for c in cells for t in c.tables]
            if all(len(t) <= 1 for t in texts):
                joined = " | ".join(t[0].strip() for t in texts if t)
                if joined:
                    lines.append(joined)
            else:
                for t in texts:
                    lines.extend(t)
            for inner in nested:
                table_lines(inner)

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text
            if text.strip() and _is_list_paragraph(block) and not text.lstrip().startswith(_BULLETS):
                text = "• " + text.strip()
            lines.append(text)
        elif isinstance(block, Table):
            table_lines(block)
    return ResumeText("docx", _clean_lines(lines))


def _is_list_paragraph(paragraph: object) -> bool:
    style = getattr(getattr(paragraph, "style", None), "name", "") or ""
    if "List" in style:
        return True
    ppr = paragraph._p.pPr  # type: ignore[attr-defined]
    return ppr is not None and ppr.numPr is not None


# ------------------------------------------------------------------------------------------------
# Text and Markdown
# ------------------------------------------------------------------------------------------------
_BULLETS = ("•", "-", "*", "▪", "◦", "●", "–", "·", "‣", "○", "■", "□", "➢", "✓", "»")


#: A DOCX is a ZIP archive: what its members unpack to is bounded, member by member and in all, before any
#: is read (a 1 MB "zip bomb" unpacks to gigabytes). Reading a member never yields more than its declared
#: size, so the declared sizes are a real bound.
MAX_UNZIPPED_MEMBER = 50 * 1024 * 1024
MAX_UNZIPPED_TOTAL = 100 * 1024 * 1024


def _check_unzipped_size(zf: zipfile.ZipFile, name: str) -> None:
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > MAX_UNZIPPED_MEMBER or total > MAX_UNZIPPED_TOTAL:
            raise ResumeError(f"resume {name} unpacks to more than {MAX_UNZIPPED_TOTAL // (1024 * 1024)} MB "
                              f"({info.filename} alone is {info.file_size // (1024 * 1024)} MB); it is not a real "
                              "resume: export it again as PDF or DOCX")


def _utf16(data: bytes) -> str | None:
    """UTF-16 text (as Windows' Notepad saves it): a byte-order mark, or a NUL after every other byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    else:
        head = data[:4096]
        half = len(head) // 2
        if half < 4:
            return None
        if head[1::2].count(0) >= 0.9 * half:
            codec = "utf-16-le"
        elif head[0::2].count(0) >= 0.9 * half:
            codec = "utf-16-be"
        else:
            return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _plain(data: bytes, name: str, fmt: str) -> ResumeText:
    wide = _utf16(data)
    if wide is not None:
        data = wide.encode("utf-8")
    if b"\x00" in data[:4096]:
        raise ResumeError(f"resume {name} is a binary file, not text, PDF or DOCX; upload one of those")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > max(8, len(text[:4096]) // 50) or text.count("\ufffd") > max(8, len(text) // 50):
        raise ResumeError(f"resume {name} is not readable text (binary or corrupt); upload PDF, DOCX or text")
    lines = text.splitlines()
    if fmt == "md" or _looks_like_markdown(lines):
        fmt = "md"
        lines = [_unmarkdown(line) for line in lines]
    return ResumeText(fmt, _clean_lines(lines))


def _looks_like_markdown(lines: list[str]) -> bool:
    return sum(1 for line in lines if re.match(r"\s*#{1,6}\s", line) or "**" in line or "](" in line) >= 2


_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


def _unmarkdown(line: str) -> str:
    line = re.sub(r"^\s*#{1,6}\s*", "", line)
    line = _MD_LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}" if m.group(1) != m.group(2) else m.group(2), line)
    line = re.sub(r"(\*\*|__|`)", "", line)
    line = re.sub(r"(?<![\w*])\*(?!\s)([^*]+)(?<!\s)\*(?!\w)", r"\1", line)
    if re.fullmatch(r"\s*([-*_=])\1{2,}\s*", line):
        return ""
    return line


def _clean_lines(lines: list[str]) -> list[str]:
    out = []
    for line in (piece for raw in lines for piece in raw.splitlines()):
        line = line.replace("\u00a0", " ").replace("\u200b", "").replace("\t", "  ")
        line = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", line).rstrip()
        if line.strip():
            out.append(line)
    return out
