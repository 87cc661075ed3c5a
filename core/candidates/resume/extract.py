"""Resume files to text lines in reading order: PDF (pdfminer.six character positions: rows, columns by their
gutter, font sizes; Tesseract OCR for scans), DOCX (python-docx: tables, text boxes, headers, footers), TXT, Markdown.

The file type is decided by its first bytes, not its name, so a renamed file is still read correctly and
a file that only pretends to be a PDF is reported as corrupt. Every failure is a :class:`ResumeError`
whose one-line message tells the operator what to do with the file.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Sequence
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
    #: the font size of each line (points; pixels for OCR) where the file says it, else None
    sizes: list[float | None] | None = None
    #: the OCR's mean word confidence (0..1) when the text was read from a scan
    ocr_confidence: float | None = None


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
#: What one PDF stream may unpack to, and all of them together: a few kilobytes of Flate can unpack to
#: gigabytes. Resumes' content streams are kilobytes and their pictures a few megabytes.
MAX_STREAM_UNPACKED = 64 * 1024 * 1024
MAX_STREAMS_UNPACKED = 256 * 1024 * 1024
#: Pages read (and OCRed) at most: a resume is one to a few pages.
MAX_PAGES = 12
#: Below this mean word confidence (0..1) an OCR reading is refused as a scan we cannot read reliably.
OCR_MIN_CONFIDENCE = 0.8


def _check_pdf_streams(data: bytes, name: str) -> None:
    """Refuse a PDF whose Flate streams unpack past the caps, before any library unpacks them in memory."""
    import zlib

    total = 0
    for m in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", m.end())
        if end < 0:
            break
        chunk = data[m.end():end]
        d = zlib.decompressobj()
        size = 0
        try:
            buf = chunk
            while buf:
                out = d.decompress(buf, 1 << 20)
                size += len(out)
                if size > MAX_STREAM_UNPACKED or total + size > MAX_STREAMS_UNPACKED:
                    raise ResumeError(f"resume {name} has a PDF stream that unpacks to more than "
                                      f"{MAX_STREAM_UNPACKED // (1024 * 1024)} MB (or all to more than "
                                      f"{MAX_STREAMS_UNPACKED // (1024 * 1024)} MB); it is not a real resume: "
                                      "export it again")
                buf = d.unconsumed_tail
                if not out:
                    break
        except zlib.error:
            pass  # not Flate (a JPEG picture, plain text): nothing to unpack
        total += size


def _pdf(data: bytes, name: str) -> ResumeText:
    import logging

    from pypdf import PasswordType, PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns on every odd object; we report once
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    _check_pdf_streams(data, name)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        password = ""
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
    try:
        rows = _pdf_layout_lines(data, password)
    except ResumeError:
        raise
    except Exception:  # pdfminer cannot read it: fall back to pypdf's plain text order
        rows = []
        for page in pages[:MAX_PAGES]:
            try:
                text = page.extract_text() or ""
            except Exception as exc:  # pypdf raises many types on damaged content streams
                raise ResumeError(f"resume {name} is a corrupt PDF ({type(exc).__name__}); export it again") from None
            rows.extend((line, None) for line in text.splitlines())
    if not any(_is_text(line) for line, _ in rows):
        images = [img for page in pages[:MAX_PAGES] for img in _page_images(page)]
        if images:
            return _ocr(images, name, len(pages))
        raise ResumeError(f"resume {name} has no text; upload a resume with content")
    lines, sizes = _clean_rows(rows)
    return ResumeText("pdf", lines, pages=len(pages), sizes=sizes)


def _pdf_layout_lines(data: bytes, password: str = "") -> list[tuple[str, float | None]]:
    """Every page's text rows in reading order (columns found by their gutter), each with its font size."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar, LTFigure, LTLine, LTRect
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    doc = PDFDocument(PDFParser(io.BytesIO(data)), password=password)
    rm = PDFResourceManager(caching=True)
    device = PDFPageAggregator(rm, laparams=None)
    interpreter = PDFPageInterpreter(rm, device)
    out: list[tuple[str, float | None]] = []
    last: _Line | None = None  # the previous page's last line
    edges: set[tuple[str, float | None]] = set()
    for n, page in enumerate(PDFPage.create_pages(doc)):
        if n >= MAX_PAGES:
            break
        interpreter.process_page(page)
        layout = device.get_result()
        chars: list[_Char] = []
        rules: list[tuple[float, float, float]] = []  # horizontal lines (x0, x1, y): table borders

        def walk(obj: object, chars: list[_Char] = chars, rules: list[tuple[float, float, float]] = rules) -> None:
            for item in obj:  # type: ignore[attr-defined]
                if isinstance(item, LTChar):
                    if item.upright:
                        text = item.get_text()
                        if text.startswith("(cid:"):
                            text = _tex_glyph(text, item.fontname)
                        chars.append(_Char(item.x0, item.x1, item.y0, item.y1, item.size, text))
                elif isinstance(item, LTFigure):
                    walk(item, chars, rules)
                elif isinstance(item, (LTLine, LTRect)) and item.width > 8:
                    rules.append((item.x0, item.x1, item.y0))
                    if item.height > 2:
                        rules.append((item.x0, item.x1, item.y1))

        walk(layout)
        lines = _page_rows(chars, layout.width, rules)
        if n == 0:
            edges = {_text_of(r) for r in lines[:3] + lines[-2:]}
        else:
            # a running header or footer (the name, "Page 1") repeats on every page: keep its first reading
            lines = [r for j, r in enumerate(lines) if not ((j < 3 or j >= len(lines) - 2) and _text_of(r) in edges)]
            if (last is not None and lines and not _justified(last) and _continues(last, lines[0])
                    and lines[0].y0 > 0.6 * layout.height):
                # a table row that breaks across the page: its cells go on at the top of this page (over one
                # line or more)
                below = lines.pop(0)
                _join_cells(last, below)
                while lines and below.y0 - lines[0].y0 <= 1.45 * last.size and _continues(last, lines[0]):
                    below = lines.pop(0)
                    _join_cells(last, below)
                out[-1] = _text_of(last)
        out.extend(_text_of(r) for r in lines)
        # a row that may go on over the page: one in the lower third of the page
        last = lines[-1] if lines and lines[-1].y0 < layout.height / 3 else None
    return out


def _text_of(line: _Line) -> tuple[str, float | None]:
    return "   ".join(sg[2] for sg in line.segs), line.size


#: TeX's bitmap (Type 3) fonts in the T1 and TS1 encodings, as pdfTeX writes them without cm-super: no
#: Unicode map, so ligatures, dashes and bullets come out as bare codes. These are those codes.
_TEX_CODES = {27: "ff", 28: "fi", 29: "fl", 30: "ffi", 31: "ffl", 21: "–", 22: "—", 127: "-", 16: "“", 17: "”",
              13: ",", 136: "•"}


def _tex_glyph(text: str, fontname: object) -> str:
    """A glyph pdfminer could not name: a TeX bitmap font's code made a character, anything else dropped."""
    m = re.fullmatch(r"\(cid:(\d+)\)", text)
    if m is None:
        return text
    if not fontname or str(fontname).lower() in ("unknown", "none") or re.fullmatch(r"F\d+|T3.*", str(fontname)):
        return _TEX_CODES.get(int(m.group(1)), "")
    return ""


@dataclass
class _Char:
    x0: float
    x1: float
    y0: float
    y1: float
    size: float
    text: str


def _rows_of(chars: list[_Char]) -> list[list[_Char]]:
    """Characters grouped into rows by their baseline, top to bottom, each row left to right."""
    rows: list[list[_Char]] = []
    for ch in sorted(chars, key=lambda c: (-round(c.y0, 1), c.x0)):
        if rows:
            last = rows[-1]
            ref = last[0]
            if abs(ch.y0 - ref.y0) <= max(1.5, 0.3 * min(ch.size, ref.size)):
                last.append(ch)
                continue
        rows.append([ch])
    for row in rows:
        row.sort(key=lambda c: c.x0)
    return rows


def _segments(row: list[_Char]) -> list[tuple[float, float]]:
    """The row's runs of text, split where the gap is wider than a font size (a tab stop, a column)."""
    segs: list[tuple[float, float]] = []
    for ch in row:
        if not ch.text.strip():
            continue
        if segs and ch.x0 - segs[-1][1] <= max(ch.size, 4.0):
            segs[-1] = (segs[-1][0], max(segs[-1][1], ch.x1))
        else:
            segs.append((ch.x0, ch.x1))
    return segs


def _gutter(rows: list[list[_Char]], width: float) -> tuple[float, int] | None:
    """(x, first row) of a vertical gutter that text does not cross from that row down (a heading or two may
    overrun it), with real text on both sides; the rows above it (a full-width header) are read first.

    Right-aligned dates are not a column: a real second column has rows of its own, so most of its rows
    do not share a baseline with text on the left.
    """
    if len(rows) < 8:
        return None
    import numpy as np

    segs = [_segments(r) for r in rows]
    allowed = max(1, len(rows) // 25)
    scored: list[tuple[tuple[int, int], float]] = []
    xs = np.arange(width * 0.15, width * 0.85 + 0.001, 2.0)
    flat = [(i, a, b) for i, row in enumerate(segs) for a, b in row]
    if not flat:
        return None
    idx = np.array([f[0] for f in flat])
    lo = np.array([f[1] for f in flat])[:, None]
    hi = np.array([f[2] for f in flat])[:, None]
    crosses = (lo < xs) & (xs < hi)  # segment x candidate
    blocked = np.zeros((len(rows), len(xs)), dtype=bool)
    np.logical_or.at(blocked, idx, crosses)
    for j, x in enumerate(xs):
        blockers = np.flatnonzero(blocked[:, j])  # rows crossing x, top to bottom
        # the header is everything down to the last crossing but the `allowed` lowest ones (headings that overrun)
        k = 0 if len(blockers) <= allowed else int(blockers[len(blockers) - allowed - 1]) + 1
        if k <= len(rows) // 2:
            scored.append(((k, int((blockers >= k).sum())), float(x)))
    if not scored:
        return None
    best_key = min(key for key, _ in scored)
    # the widest run of neighbouring x with the best score; its middle is the gutter
    runs: list[list[float]] = []
    for key, x in scored:
        if key != best_key:
            continue
        if runs and abs(x - runs[-1][-1] - 2.0) < 0.01:
            runs[-1].append(x)
        else:
            runs.append([x])
    run = max(runs, key=len)
    gx = (run[0] + run[-1]) / 2
    k = best_key[0]
    region = segs[k:]
    left = [r for r in region if any(s[0] < gx for s in r)]
    right = [r for r in region if any(s[0] >= gx for s in r)]
    both = [r for r in region if any(s[0] < gx for s in r) and any(s[0] >= gx for s in r)]
    if len(left) < 4 or len(right) < 4:
        return None
    if len(both) > 0.5 * len(right) or len(both) > 0.5 * len(left):
        # Rows side by side on the same baselines: two real columns set in the same type (an HTML grid), or one
        # column with its dates right-aligned. Dates on the right say which.
        right_segs = [ln.segs for ln in (_line_of(r) for r in rows[k:]) if ln is not None]
        texts = [sg[2] for segs_ in right_segs for sg in segs_ if sg[0] >= gx]
        dates = sum(1 for t in texts if len(re.sub(r"(?i)(?:19|20)\d{2}|present|current|till|date|to|"
                                                   r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|[^a-z]", "", t)) < 3)
        if dates > 0.5 * len(texts) or len(right) < 5:
            return None
    return gx, k


def _page_rows(chars: list[_Char], width: float, rules: Sequence[tuple[float, float, float]] = ()) -> list[_Line]:
    rows = _rows_of(chars)
    found = _gutter(rows, width)
    if found is None:
        return _texts(rows, rules)
    gx, k = found
    head = _texts(rows[:k], rules)
    left_rows, right_rows = [], []
    for row in rows[k:]:
        # a run of text belongs to the side it starts on (a heading that overruns the gutter stays whole)
        left: list[_Char] = []
        right: list[_Char] = []
        side = left
        prev: _Char | None = None
        for ch in row:
            if ch.text.strip() and (prev is None or ch.x0 - prev.x1 > max(ch.size, 4.0)):
                side = left if ch.x0 < gx else right
            side.append(ch)
            if ch.text.strip():
                prev = ch
        if left:
            left_rows.append(left)
        if right:
            right_rows.append(right)
    # each column is read on its own, top to bottom
    return head + _texts(left_rows, rules) + _texts(right_rows, rules)


@dataclass
class _Line:
    y0: float
    size: float
    segs: list[list]  # [x0, x1, text] per run of text; runs are a column gap apart


def _line_of(row: list[_Char]) -> _Line | None:
    segs: list[list] = []
    prev: _Char | None = None
    space = False
    sizes = []
    for ch in row:
        if not ch.text.strip():
            space = True
            continue
        gap = ch.x0 - prev.x1 if prev is not None else 0.0
        if prev is None or gap > max(ch.size, 4.0):
            segs.append([ch.x0, ch.x1, ch.text])
        else:
            seg = segs[-1]
            seg[2] += (" " if space or gap > 0.15 * ch.size else "") + ch.text
            seg[1] = max(seg[1], ch.x1)
        sizes.append(ch.size)
        prev = ch
        space = False
    if not segs:
        return None
    return _Line(row[0].y0, round(max(sizes), 1), segs)


def _merge_cells(lines: list[_Line], rules: Sequence[tuple[float, float, float]] = ()) -> list[_Line]:
    """A table's cells that wrap onto a second line are joined back into their row.

    A row of three or more cells whose next line, set close below in the same type, has fewer cells and starts
    only where the row's cells start, and no border line runs between them, is one table row: "Pragati Consulting | Site
    Reliability | 2020 - 2023" over "Services | Engineer" reads "Pragati Consulting Services | Site Reliability
    Engineer | 2020 - 2023".
    """
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        line = _Line(lines[i].y0, lines[i].size, [list(sg) for sg in lines[i].segs])
        bottom = line.y0
        cells = len(line.segs)
        if _justified(line):
            out.append(line)  # evenly stretched spaces: a justified line of text, not a table row
            i += 1
            continue
        while len(line.segs) >= 2 and i + 1 < len(lines):
            nxt = lines[i + 1]
            if bottom - nxt.y0 > 1.45 * line.size or not _continues(line, nxt, cells):
                break
            x0 = nxt.segs[0][0]
            if any(a - 2 <= x0 <= b + 2 and nxt.y0 + 0.6 * nxt.size < y < bottom for a, b, y in rules):
                break  # a border between them: the next table row
            _join_cells(line, nxt)
            bottom = nxt.y0
            i += 1
        out.append(line)
        i += 1
    return out


def _justified(line: _Line) -> bool:
    gaps = [b[0] - a[1] for a, b in zip(line.segs, line.segs[1:])]
    return bool(gaps) and max(gaps) < 2.5 * line.size and max(gaps) - min(gaps) < 0.3 * line.size


def _cells_under(line: _Line, nxt: _Line) -> list[int] | None:
    """For each run of ``nxt``, the cell of ``line`` it starts under; None if one starts under none."""
    where = []
    for ns in nxt.segs:
        j = next((j for j, sg in enumerate(line.segs) if abs(ns[0] - sg[0]) <= 3.0), None)
        if j is None:
            return None
        where.append(j)
    return where


def _continues(line: _Line, nxt: _Line, cells: int | None = None) -> bool:
    """Whether ``nxt`` goes on with the cells of the table row ``line`` (``cells``: the row's own count): three or
    more cells over a line in the same type with fewer, each starting where one of the row's cells starts, not a
    bullet. Where the lines stand (close below, or at the top of the next page) the caller decides."""
    if abs(nxt.size - line.size) > 0.6 or len(line.segs) < 3 or len(nxt.segs) >= (cells or len(line.segs)):
        return False  # a line with as many cells as the row is the table's next row
    first = nxt.segs[0][2].lstrip()[:1]
    if first in _BULLETS or "\ue000" <= first <= "\uf8ff" or line.segs[0][2].strip() in _BULLETS:
        return False
    return _cells_under(line, nxt) is not None


def _join_cells(line: _Line, nxt: _Line) -> None:
    for j, ns in zip(_cells_under(line, nxt) or [], nxt.segs):
        line.segs[j][2] += " " + ns[2]
        line.segs[j][1] = max(line.segs[j][1], ns[1])


def _texts(rows: list[list[_Char]], rules: Sequence[tuple[float, float, float]] = ()) -> list[_Line]:
    lines = [ln for ln in (_line_of(r) for r in rows) if ln is not None]
    return _merge_cells(lines, rules)


def _page_images(page: object) -> list[bytes]:
    """The page's pictures as image files (PNG/JPEG bytes), largest first."""
    out: list[tuple[int, bytes]] = []
    try:
        for img in page.images:  # type: ignore[attr-defined]
            try:
                w, h = img.image.size
            except Exception:
                w = h = 0
            if w * h >= 200 * 200:
                out.append((w * h, _as_png(img)))
    except Exception:
        return []
    out.sort(key=lambda t: -t[0])
    return [b for _, b in out[:1]]


def _as_png(img: object) -> bytes:
    buf = io.BytesIO()
    try:
        img.image.save(buf, "PNG")  # type: ignore[attr-defined]
        return buf.getvalue()
    except Exception:
        return img.data  # type: ignore[attr-defined]


def _ocr(images: list[bytes], name: str, pages: int) -> ResumeText:
    """Text of a scanned resume by Tesseract, with its mean word confidence; a poor reading is refused."""
    import shutil
    import subprocess
    import tempfile

    refusal = (f"resume {name} is image-only (a scan with no text layer); upload a text PDF or DOCX, or OCR it "
               "first")
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise ResumeError(refusal + " (Tesseract OCR is not installed here)")
    rows: list[tuple[str, float | None]] = []
    confs: list[float] = []
    with tempfile.TemporaryDirectory(prefix="talvix-ocr-") as tmp:
        for i, image in enumerate(images[:MAX_PAGES]):
            src = Path(tmp) / f"page{i}.png"
            src.write_bytes(image)
            try:
                done = subprocess.run([tesseract, str(src), "stdout", "--psm", "4", "tsv"], capture_output=True,
                                      timeout=90, check=False, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
            except subprocess.TimeoutExpired:
                raise ResumeError(refusal + " (OCR took too long)") from None
            if done.returncode != 0:
                raise ResumeError(refusal + " (OCR could not read the picture)")
            page_rows, page_confs = _tsv_rows(done.stdout.decode("utf-8", "replace"))
            rows.extend(page_rows)
            confs.extend(page_confs)
    confidence = sum(confs) / len(confs) / 100 if confs else 0.0
    if not any(_is_text(t) for t, _ in rows) or confidence < OCR_MIN_CONFIDENCE:
        raise ResumeError(refusal + f" (OCR confidence {confidence:.2f} is below {OCR_MIN_CONFIDENCE:.2f})")
    lines, sizes = _clean_rows(rows)
    return ResumeText("pdf", lines, pages=pages, sizes=sizes, ocr_confidence=round(confidence, 3))


def _tsv_rows(tsv: str) -> tuple[list[tuple[str, float | None]], list[float]]:
    """Tesseract's TSV to rows (text, height in pixels) and the words' confidences."""
    lines: dict[tuple[str, str, str], list[tuple[int, int, int, str]]] = {}
    confs: list[float] = []
    for raw in tsv.splitlines()[1:]:
        f = raw.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        try:
            conf = float(f[10])
            left, height = int(f[6]), int(f[9])
            width = int(f[8])
        except ValueError:
            continue
        if conf >= 0:
            confs.append(conf)
        lines.setdefault((f[2], f[3], f[4]), []).append((left, width, height, f[11]))
    rows: list[tuple[str, float | None]] = []
    for words in lines.values():
        words.sort()
        text = ""
        prev_end = None
        h = max(w[2] for w in words)
        for left, width, _, word in words:
            if prev_end is not None:
                text += "   " if left - prev_end > 1.5 * h else " "
            text += word
            prev_end = left + width
        rows.append((text, float(h)))
    return rows, confs


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
    rows: list[tuple[str, float | None]] = []
    default_size = _docx_default_size(document)

    style_sizes = _docx_style_sizes(document)

    def para_size(paragraph: Paragraph) -> float | None:
        """The paragraph's largest run size: run formatting, else its character style, else the paragraph's."""
        p = paragraph._p
        ppr = p.find(f"{_W}pPr")
        pstyle = ppr.find(f"{_W}pStyle") if ppr is not None else None
        base = style_sizes.get(pstyle.get(f"{_W}val") if pstyle is not None else None) or default_size
        best = None
        for r in p.iter(f"{_W}r"):
            rpr = r.find(f"{_W}rPr")
            size = None
            if rpr is not None:
                sz = rpr.find(f"{_W}sz")
                if sz is not None and (sz.get(f"{_W}val") or "").isdigit():
                    size = int(sz.get(f"{_W}val")) / 2
                else:
                    rs = rpr.find(f"{_W}rStyle")
                    if rs is not None:
                        size = style_sizes.get(rs.get(f"{_W}val"))
            best = max(best or 0.0, size or base or 0.0)
        return best or base

    def add_paragraph(paragraph: Paragraph) -> None:
        text = paragraph.text
        if text.strip() and _is_list_paragraph(paragraph) and not text.lstrip().startswith(_BULLETS):
            text = "• " + text.strip()
        rows.append((text, para_size(paragraph)))
        for box in _text_boxes(paragraph):  # text boxes anchored in this paragraph, read where they stand
            rows.append((box, default_size))

    def table_lines(table: Table) -> None:
        for row in table.rows:
            cells = []
            seen: set[int] = set()
            for cell in row.cells:  # merged cells repeat: keep each once
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                cells.append(cell)
            paras = [[p for p in c.paragraphs if p.text.strip()] for c in cells]
            nested = [t for c in cells for t in c.tables]
            if all(len(t) <= 1 for t in paras):
                joined = " | ".join(t[0].text.strip() for t in paras if t)
                if joined:
                    sizes = [para_size(t[0]) for t in paras if t]
                    rows.append((joined, max((x for x in sizes if x), default=None)))
            else:
                for t in paras:
                    for paragraph in t:
                        add_paragraph(paragraph)
            for inner in nested:
                table_lines(inner)

    def blocks(container: object) -> None:
        for block in container.iter_inner_content():  # type: ignore[attr-defined]
            if isinstance(block, Paragraph):
                add_paragraph(block)
            elif isinstance(block, Table):
                table_lines(block)

    # The page header often holds the name and contact details; the footer comes last. A header repeated
    # by several sections (or first-page and default headers alike) is read once.
    seen_parts: set[int] = set()
    headers: list[object] = []
    footers: list[object] = []
    for section in document.sections:
        for hf, into in ((section.first_page_header, headers), (section.header, headers),
                         (section.first_page_footer, footers), (section.footer, footers)):
            try:
                if hf.is_linked_to_previous and into:
                    continue
                part = id(hf._element)
            except Exception:
                continue
            if part not in seen_parts:
                seen_parts.add(part)
                into.append(hf)
    for part_ in headers:
        blocks(part_)
    blocks(document)
    for part_ in footers:
        blocks(part_)
    lines, sizes = _clean_rows(rows)
    return ResumeText("docx", lines, sizes=sizes)


def _docx_style_sizes(document: object) -> dict[str | None, float]:
    """style id -> font size in points, following each style's basedOn chain."""
    try:
        root = document.styles.element  # type: ignore[attr-defined]
    except Exception:
        return {}
    own: dict[str, float | None] = {}
    based: dict[str, str | None] = {}
    for st in root.iter(f"{_W}style"):
        sid = st.get(f"{_W}styleId")
        sz = st.find(f"{_W}rPr/{_W}sz")
        val = sz.get(f"{_W}val") if sz is not None else None
        own[sid] = int(val) / 2 if val and val.isdigit() else None
        bo = st.find(f"{_W}basedOn")
        based[sid] = bo.get(f"{_W}val") if bo is not None else None
    out: dict[str | None, float] = {}
    for sid in own:
        cur: str | None = sid
        seen = 0
        while cur is not None and own.get(cur) is None and seen < 20:
            cur, seen = based.get(cur), seen + 1
        if cur is not None and own.get(cur) is not None:
            out[sid] = own[cur]  # type: ignore[assignment]
    return out


def _docx_default_size(document: object) -> float | None:
    try:
        size = document.styles["Normal"].font.size  # type: ignore[attr-defined]
        return size.pt if size is not None else 11.0
    except Exception:
        return 11.0


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text_boxes(paragraph: object) -> list[str]:
    """Lines of the text boxes drawn in a paragraph (DrawingML; the VML fallback copy is skipped)."""
    p = paragraph._p  # type: ignore[attr-defined]
    if p.find(f".//{_W}txbxContent") is None:
        return []
    out: list[str] = []
    fallback = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
    for box in p.iter(f"{_W}txbxContent"):
        parent = box.getparent()
        skip = False
        while parent is not None and parent is not p:
            if parent.tag == fallback:
                skip = True
                break
            parent = parent.getparent()
        if skip:
            continue
        for bp in box.iter(f"{_W}p"):
            text = "".join((t.text or "") if t.tag == f"{_W}t" else "\t" for t in bp.iter(f"{_W}t", f"{_W}tab"))
            if text.strip():
                out.append(text)
    return out


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


#: Characters that are spelling, not text: ligature glyphs spelled out, spaces of every width made plain,
#: soft hyphens and zero-width marks dropped, non-breaking hyphens made plain.
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
              "\ufb06": "st"}
_NORMALISE = str.maketrans({**_LIGATURES, "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ",
                            "\u2003": " ", "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None,
                            "\ufeff": None, "\u2010": "-", "\u2011": "-", "\u2212": "-"})


def normalise_text(line: str) -> str:
    """One line as plain text: see _NORMALISE; a tab is a column gap (three spaces); icons (symbols and private-use
    glyphs of icon fonts) are dropped unless they are bullets."""
    import unicodedata

    line = line.translate(_NORMALISE).replace("\t", "   ")
    if "(cid:" in line:  # a glyph with no Unicode mapping (an icon font): pdfminer's placeholder
        line = re.sub(r"\(cid:\d+\)\s?", "", line)
    if any(ord(ch) > 0x2000 for ch in line):
        # a symbol-font bullet (Word's Symbol/Wingdings: U+F0B7, U+F0A7, ...) leading a line is a bullet
        line = re.sub(r"^(\s*)[\ue000-\uf8ff]", r"\1•", line)
        line = "".join(ch for ch in line if ch in _BULLET_SET or unicodedata.category(ch) not in ("So", "Co", "Cs"))
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", line).rstrip()


_BULLET_SET = set("".join(("•", "▪", "◦", "●", "‣", "○", "■", "□", "➢", "✓", "»", "·", "–")))


def _clean_rows(rows: list[tuple[str, float | None]]) -> tuple[list[str], list[float | None]]:
    lines: list[str] = []
    sizes: list[float | None] = []
    for raw, size in rows:
        for piece in raw.splitlines() or [""]:
            line = normalise_text(piece)
            if not line.strip():
                continue
            if lines and lines[-1].strip() in _BULLET_SET | {"•", "*", "-"} and not line.lstrip().startswith(_BULLETS):
                lines[-1] = lines[-1].strip() + " " + line.strip()  # a bullet set a little lower than its text
                continue
            if lines and re.search(r"[a-z]-$", lines[-1]) and re.match(r"[a-z]", line.lstrip()) and \
                    " " not in line.strip().split("   ")[0][:1]:
                # a word hyphenated at the end of a line ("Manage-" / "ment, SQL") is one word again
                lines[-1] = lines[-1][:-1] + line.lstrip()
                continue
            lines.append(line)
            sizes.append(size)
    return lines, sizes


def _clean_lines(lines: list[str]) -> list[str]:
    return _clean_rows([(line, None) for line in lines])[0]
