"""Parsed resume vs its expected facts: which facts are right (shared by bench/resumes.py and the corpus test).

Facts: name, email, phone (E.164), location, the number of roles, and per role employer, title and dates (start
and end together),
and per school the institution. Skills are scored apart, as precision and recall against the expected list.
Comparison is on a normal form (case, spacing, punctuation and accents do not count) and exact otherwise.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
FACTS = HERE / "facts"
FIELDS = ("name", "email", "phone", "location", "roles", "employer", "title", "dates", "education")


def norm(value: Any) -> str:
    s = unicodedata.normalize("NFKD", str(value or ""))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"[^a-z0-9+@]+", " ", s)
    return " ".join(s.split())


@dataclass
class Score:
    right: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FIELDS})
    total: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FIELDS})
    skills_found: int = 0
    skills_right: int = 0
    skills_expected: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, fld: str, ok: bool, where: str, expected: Any, got: Any) -> None:
        self.total[fld] += 1
        if ok:
            self.right[fld] += 1
        else:
            self.misses.append(f"{where}: {fld} expected {expected!r} got {got!r}")

    def merge(self, other: Score) -> None:
        for f in FIELDS:
            self.right[f] += other.right[f]
            self.total[f] += other.total[f]
        self.skills_found += other.skills_found
        self.skills_right += other.skills_right
        self.skills_expected += other.skills_expected
        self.misses.extend(other.misses)

    @property
    def fact_ratio(self) -> float:
        total = sum(self.total.values())
        return sum(self.right.values()) / total if total else 0.0

    @property
    def skills_precision(self) -> float:
        return self.skills_right / self.skills_found if self.skills_found else 0.0

    @property
    def skills_recall(self) -> float:
        return self.skills_right / self.skills_expected if self.skills_expected else 0.0


def load_corpus() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FACTS.glob("*.json"))]


def score(expected: dict[str, Any], parsed: dict[str, Any]) -> Score:
    sc = Score()
    where = expected["file"]
    ident = parsed.get("identity") or {}
    name = " ".join(x for x in (ident.get("first_name"), ident.get("last_name")) if x)
    sc.add("name", norm(name) == norm(expected["name"]), where, expected["name"], name)
    sc.add("email", (ident.get("email") or "").lower() == expected["email"].lower(), where, expected["email"],
           ident.get("email"))
    sc.add("phone", ident.get("phone") == expected["phone"], where, expected["phone"], ident.get("phone"))
    sc.add("location", norm(ident.get("location")) == norm(expected["location"]), where, expected["location"],
           ident.get("location"))
    got = list(parsed.get("experience") or [])
    if "roles" in expected:  # no role lost, none made up (a project or volunteering is not a job)
        sc.add("roles", len(got) == expected["roles"], where, expected["roles"], len(got))
    for i, exp in enumerate(expected["experience"]):
        # several roles at one employer: the one that starts when this one does, else the first there
        match = next((g for g in got if norm(g.get("employer")) == norm(exp["employer"])
                      and g.get("start") == exp["start"]), None)
        match = match or next((g for g in got if norm(g.get("employer")) == norm(exp["employer"])), None)
        if match is None:
            match = next((g for g in got if g.get("start") == exp["start"] and g.get("end") == exp["end"]), None)
        if match is None and i < len(got):
            match = got[i]
        match = match or {}
        sc.add("employer", norm(match.get("employer")) == norm(exp["employer"]), where, exp["employer"],
               match.get("employer"))
        sc.add("title", norm(match.get("title")) == norm(exp["title"]), where, exp["title"], match.get("title"))
        dates = (match.get("start"), match.get("end"))
        sc.add("dates", dates == (exp["start"], exp["end"]), where, (exp["start"], exp["end"]), dates)
    schools = [norm(e.get("institution")) for e in parsed.get("education") or []]
    for inst in expected["education"]:
        sc.add("education", norm(inst) in schools, where, inst, [e.get("institution") for e in
                                                                   parsed.get("education") or []])
    want = {norm(s) for s in expected["skills"]}
    have = {norm(s) for s in parsed.get("skills") or []}
    sc.skills_expected = len(want)
    sc.skills_found = len(have)
    sc.skills_right = len(want & have)
    for extra in sorted(have - want):
        sc.misses.append(f"{where}: skill not expected {extra!r}")
    for missing in sorted(want - have):
        sc.misses.append(f"{where}: skill missed {missing!r}")
    return sc
