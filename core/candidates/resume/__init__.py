"""Reading resumes: file to text (:mod:`core.candidates.resume.extract`), text to a profile (:mod:`core.candidates.resume.parse`)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from core.candidates.resume.extract import ResumeError, ResumeText, read_resume
from core.candidates.resume.parse import PARSER_VERSION, flat_view, parse_lines

__all__ = ["ResumeError", "ResumeText", "parse_resume", "flat_view", "PARSER_VERSION"]


def parse_resume(path: str | Path) -> dict[str, Any]:
    """A Profile-shaped dict for the resume at ``path``; :class:`ResumeError` if it cannot be read."""
    p = Path(path)
    text = read_resume(p)
    profile = parse_lines(text.lines, sizes=text.sizes, ocr=text.ocr_confidence is not None)
    corrections = profile.pop("ocr_corrections", None)
    if text.ocr_confidence is not None:
        # read from a scan: no field is surer than the OCR that read it
        conf = profile["confidence"]
        for key, value in conf.items():
            conf[key] = min(value, text.ocr_confidence)
        conf["ocr"] = text.ocr_confidence
        profile["to_confirm"] = sorted(set(profile.get("to_confirm") or []) | {
            k for k in ("name", "email", "phone", "location", "experience", "education", "skills")
            if conf.get(k, 0.0) and conf[k] < 0.8})
    profile["resume"] = {"file": p.name, "format": text.format, "pages": text.pages, "ocr": text.ocr_confidence is not None,
                         "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "parser": PARSER_VERSION}
    if corrections:
        # skills OCR misread and corrected to the vocabulary ("HTMLS5" is HTML5): for the operator to see
        profile["resume"]["ocr_corrections"] = corrections
    return profile
