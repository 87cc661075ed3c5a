"""The candidate profile: the one source of facts Talvix may state about a candidate.

It is built from the parsed resume and overridden/extended by a profile file (TOML). Every generated
document and every form answer must trace back to it. The TOML shape::

    [identity]    first_name last_name email phone location date_of_birth
    [links]       linkedin github portfolio (any other key is kept too)
    [work]        current_company authorized_to_work needs_sponsorship notice_period_days
                  current_ctc_lpa expected_ctc_lpa relocate_to
    [skills_years] Skill = years
    [answers]     "question text" = "answer"
    [eeo]         optional; absent means "decline to answer"
    [preferences] roles locations remote min_ctc_lpa
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from core.errors import InvalidInput, NotFound


class _Section(BaseModel):
    model_config = ConfigDict(extra="allow")


class Identity(_Section):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    location: str | None = None
    #: Only to answer a form's "Date of birth": ISO ``YYYY-MM-DD`` (a TOML date is stored so); never guessed.
    date_of_birth: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class Links(_Section):
    linkedin: str | None = None
    github: str | None = None
    portfolio: str | None = None


class Work(_Section):
    current_company: str | None = None
    current_title: str | None = None
    #: Where the candidate may work: a list of countries (``["India"]``), or a country -> yes/no table, or
    #: one yes/no (the job's country, whichever it is).
    authorized_to_work: bool | list[str] | dict[str, bool] | None = None
    needs_sponsorship: bool | None = None
    notice_period_days: int | None = Field(None, ge=0)
    current_ctc_lpa: float | None = Field(None, ge=0)
    expected_ctc_lpa: float | None = Field(None, ge=0)
    relocate_to: list[str] = []
    years_experience: float | None = Field(None, ge=0)


class Preferences(_Section):
    roles: list[str] = []
    locations: list[str] = []
    remote: bool | None = None
    min_ctc_lpa: float | None = Field(None, ge=0)


class Experience(BaseModel):
    employer: str = ""
    title: str = ""
    start: str | None = None  # "YYYY-MM" or "YYYY"
    end: str | None = None  # None or "present" for the current job
    location: str | None = None
    bullets: list[str] = []
    #: the fields of this role the resume parser guessed (employer, title, dates), for a person to confirm
    guessed: list[str] = []


class Education(BaseModel):
    institution: str = ""
    degree: str | None = None
    field: str | None = None
    start: str | None = None
    end: str | None = None


class Profile(BaseModel):
    """Parsed resume merged with the profile file."""

    model_config = ConfigDict(extra="allow")

    identity: Identity = Identity()
    links: Links = Links()
    work: Work = Work()
    skills_years: dict[str, float] = {}
    answers: dict[str, str] = {}
    eeo: dict[str, str] | None = None  # None: decline every demographic question
    preferences: Preferences = Preferences()
    summary: str | None = None
    skills: list[str] = []
    experience: list[Experience] = []
    education: list[Education] = []
    apply_policy: str | None = None  # always | when_uncertain | never

    @property
    def full_name(self) -> str:
        return self.identity.full_name


# ------------------------------------------------------------------------------------------------
# The profile file, as an operator writes it: held to the documented keys
# ------------------------------------------------------------------------------------------------
#: Deliberately plain: one "@", a local part without spaces, a domain of dot-separated labels with a TLD.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                    r"[A-Za-z]{2,63}")


def valid_email(value: str) -> bool:
    """True for an address an application form will take (``name@example.com``)."""
    local = value.rsplit("@", 1)[0]
    return (len(value) <= 254 and _EMAIL.fullmatch(value) is not None and len(local) <= 64
            and not local.startswith(".") and not local.endswith(".") and ".." not in local)


def e164(phone: str, region: str = "IN") -> str | None:
    """A phone number in E.164 ("+919845012345"), India unless the number says otherwise; None if invalid."""
    import phonenumbers

    try:
        num = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


_FORBID = ConfigDict(extra="forbid")


class _IdentityFile(Identity):
    model_config = _FORBID

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not valid_email(value.strip()):
            raise ValueError("not an email address; write it as name@example.com")
        return value

    @field_validator("date_of_birth", mode="before")
    @classmethod
    def _dob(cls, value: Any) -> str | None:
        if value is None or isinstance(value, dt.date):
            return value.isoformat()[:10] if value is not None else None
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError("not a date; write it as 1994-05-17") from None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and e164(value) is None:
            raise ValueError("not a valid phone number; write it with the country code, e.g. +91 98450 12345 "
                             "(stored as E.164)")
        return value


class _LinksFile(Links):
    """Any other link is kept too (``[links] blog = ...``), as long as it is text."""

    @model_validator(mode="after")
    def _text_only(self) -> _LinksFile:
        for key, value in (self.model_extra or {}).items():
            if not isinstance(value, str):
                raise ValueError(f"link {key!r} must be text (a URL), got {type(value).__name__}")
        return self


class _WorkFile(Work):
    model_config = _FORBID


class _PreferencesFile(Preferences):
    model_config = _FORBID


class _ExperienceFile(Experience):
    model_config = _FORBID

    @field_validator("guessed")
    @classmethod
    def _not_guessed(cls, value: list[str]) -> list[str]:
        if value:
            raise ValueError("a role in the profile file is the operator's own, not a guess: leave 'guessed' out")
        return value


class _EducationFile(Education):
    model_config = _FORBID


class ProfileFile(Profile):
    """A profile file: the documented sections and keys only, so a typo is refused instead of ignored."""

    model_config = _FORBID

    identity: _IdentityFile = _IdentityFile()
    links: _LinksFile = _LinksFile()
    work: _WorkFile = _WorkFile()
    preferences: _PreferencesFile = _PreferencesFile()
    experience: list[_ExperienceFile] = []  # type: ignore[assignment]  # narrower on purpose: unknown keys refused
    education: list[_EducationFile] = []  # type: ignore[assignment]
    apply_policy: Literal["always", "when_uncertain", "never"] | None = None


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed where an unknown key ``loc`` was found (its parent in the profile file)."""
    model: Any = ProfileFile
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(str(part)) if isinstance(model, type) else None
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", None)
        model = args[0] if args else annotation
    return sorted(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def load_profile_file(path: str | Path) -> dict[str, Any]:
    """Read and validate a profile TOML file; returns the raw (validated) mapping.

    Refused, naming the key: an unknown section or key (a typo would otherwise be kept and never used), an
    email that is not an address, a phone that is not a valid number, and a value of the wrong type.
    """
    p = Path(path)
    if p.is_dir():
        raise InvalidInput(f"profile file {p} is a folder; give a TOML file")
    if not p.is_file():
        raise NotFound(f"profile file not found: {p}")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"profile file {p} is not valid TOML: {exc}") from None
    try:
        ProfileFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(err.get("loc", ()))
        where = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in loc).lstrip(".")
        if err.get("type") == "extra_forbidden":
            known = _known_keys(loc)
            section = ".".join(str(x) for x in loc[:-1] if not isinstance(x, int))
            allowed = f" (known keys{f' in [{section}]' if section else ''}: {', '.join(known)})" if known else ""
            raise InvalidInput(f"profile file {p}: unknown key '{where}'{allowed}") from None
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        raise InvalidInput(f"profile file {p}: '{where}': {message}") from None
    ident = data.get("identity")
    if isinstance(ident, dict) and isinstance(ident.get("date_of_birth"), dt.date):  # stored as JSON: ISO text
        ident["date_of_birth"] = ident["date_of_birth"].isoformat()[:10]
    return data


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``override`` onto ``base``: the profile file wins over the parsed resume."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        elif value is not None:
            out[key] = value
    return out
