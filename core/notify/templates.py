"""Message templates: Jinja2 files an operator can edit, in English and Hindi.

``core/notify/templates/<language>/<name>.txt`` holds a message: its first line is the email subject, the
rest the text (WhatsApp, and the plain part of an email). ``email.html`` is the HTML layout of every email;
it is autoescaped, so nothing from outside (a job title, a question) can inject markup. An operator's copy
under the override folder (``TALVIX_NOTIFY_TEMPLATES``, default ``<data dir>/templates/notify``) wins over
the packaged one, file by file. Templates run in Jinja's sandbox with undefined names an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
)
from jinja2.sandbox import SandboxedEnvironment

from core.errors import TalvixError
from core.safetext import clean

PACKAGED = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("en", "hi")
TEMPLATES = ("application_submitted", "needs_answer", "interview_invitation", "follow_up_sent", "weekly_summary",
             "approval_request", "test", "follow_up_reminder", "employer_follow_up")
#: Written to an employer in the candidate's name (email only): the follow-up's own subject and body.
EMPLOYER_TEMPLATES = ("employer_follow_up",)
#: Ordered parameters of each approved Cloud API template ``talvix_<name>`` (used outside the 24-hour window).
CLOUD_PARAMS: dict[str, tuple[str, ...]] = {
    "application_submitted": ("candidate_name", "job_title", "company"),
    "needs_answer": ("candidate_name", "company", "question"),
    "interview_invitation": ("candidate_name", "job_title", "company"),
    "follow_up_sent": ("candidate_name", "job_title", "company"),
    "weekly_summary": ("candidate_name", "submitted", "interviews"),
    "approval_request": ("candidate_name", "job_title", "company"),
    "test": ("sent_at",),
    "follow_up_reminder": ("candidate_name", "job_title", "company"),
}
#: Keys every template may use without the caller giving them.
DEFAULTS: dict[str, Any] = {"candidate_name": "there", "job_title": "", "company": "", "documents": [],
                            "question": "", "when": "", "prep_pack": "", "to": "", "week": "", "submitted": 0,
                            "interviews": 0, "waiting": 0, "highlights": [], "reason": "", "sent_at": "",
                            "applied_on": "", "business_days": 0, "subject": "", "body": ""}


class TemplateProblem(TalvixError):
    """A template is missing or broken: the message is not sent, the operator sees which file."""


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    params: list[str]


#: Values that are whole texts (a follow-up's body): their line breaks are kept.
MULTILINE = ("body",)


def _clean_value(value: Any, *, keep_newlines: bool = False) -> Any:
    if isinstance(value, str):
        return clean(value, keep_newlines=keep_newlines)
    if isinstance(value, (list, tuple)):
        return [_clean_value(v) for v in value]
    return value


class Templates:
    def __init__(self, override_dir: Path | None = None) -> None:
        loaders = []
        if override_dir is not None and override_dir.is_dir():
            loaders.append(FileSystemLoader(str(override_dir)))
        loaders.append(FileSystemLoader(str(PACKAGED)))
        self.text_env = SandboxedEnvironment(loader=ChoiceLoader(loaders), autoescape=False, undefined=StrictUndefined,
                                             keep_trailing_newline=False)
        self.html_env = SandboxedEnvironment(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined)

    def render(self, name: str, language: str, context: dict[str, Any]) -> Rendered:
        if name not in TEMPLATES:
            raise TemplateProblem(f"unknown notification template {name!r} (known: {', '.join(TEMPLATES)})")
        lang = language if language in LANGUAGES else "en"
        values = {**DEFAULTS, **{k: _clean_value(v, keep_newlines=k in MULTILINE) for k, v in (context or {}).items()},
                  "language": lang}
        try:
            raw = self.text_env.get_template(f"{lang}/{name}.txt").render(values)
        except TemplateNotFound:
            raise TemplateProblem(f"template file {lang}/{name}.txt is missing") from None
        except TemplateError as exc:
            raise TemplateProblem(f"template {lang}/{name}.txt: {type(exc).__name__}: {exc}") from None
        subject, _, body = raw.partition("\n")
        text = "\n".join(line.rstrip() for line in body.strip("\n").splitlines())
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        paragraphs = [p.splitlines() for p in text.split("\n\n") if p.strip()]
        try:
            html = self.html_env.get_template(f"{lang}/email.html").render(
                {"subject": subject.strip(), "paragraphs": paragraphs, "language": lang})
        except TemplateError as exc:
            raise TemplateProblem(f"template {lang}/email.html: {type(exc).__name__}: {exc}") from None
        params = [str(values.get(k, "")) for k in CLOUD_PARAMS.get(name, ())]
        return Rendered(subject=subject.strip(), text=text, html=html, params=params)


_CACHE: dict[str, Templates] = {}


def templates_for(override_dir: Path | None) -> Templates:
    """One environment per override folder (Jinja re-reads a file an operator changed: auto_reload)."""
    key = str(override_dir) if override_dir is not None and override_dir.is_dir() else ""
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = Templates(override_dir if key else None)
    return found
