"""The candidate profile: the one source of facts Talvix may state about a candidate.

It is built from the parsed resume and overridden/extended by a profile file (TOML). Every generated
document and every form answer must trace back to it. The TOML shape::

    [identity]    first_name last_name email phone location
    [links]       linkedin github portfolio (any other key is kept too)
    [work]        current_company authorized_to_work needs_sponsorship notice_period_days
                  current_ctc_lpa expected_ctc_lpa relocate_to
    [skills_years] Skill = years
    [answers]     "question text" = "answer"
    [eeo]         optional; absent means "decline to answer"
    [preferences] roles locations remote min_ctc_lpa
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import TalvixError


class _Section(BaseModel):
    model_config = ConfigDict(extra="allow")


class Identity(_Section):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    location: str | None = None

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


def load_profile_file(path: str | Path) -> dict[str, Any]:
    """Read and validate a profile TOML file; returns the raw (validated) mapping."""
    p = Path(path)
    if not p.is_file():
        raise TalvixError(f"profile file not found: {p}")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TalvixError(f"profile file {p} is not valid TOML: {exc}") from None
    try:
        Profile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err.get("loc", ()))
        raise TalvixError(f"profile file {p}: '{where}': {err.get('msg')}") from None
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
