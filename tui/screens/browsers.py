"""Browsers over jobs, candidates and the audit log (operator actions): paged, filtered, detail on enter.

Candidates are shown without personal data: email and phone stay encrypted and never reach the screen.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from core.browse import filters, pages
from core.browse.filters import Filter
from core.browse.pages import Window
from tui.screens.dialogs import TextScreen
from tui.screens.paged import PagedView
from tui.text import kv, lit, pretty_json, since, stamp, status


class JobsView(PagedView):
    VIEW = "jobs"
    TITLE_TEXT = "Jobs"
    SPEC = filters.JOB_SPEC
    NOUN = "jobs"
    COLUMNS = [("id", "id", 6), ("company", "company", 16), ("title", "title", 28), ("location", "location", 12),
               ("site", "site", 20), ("status", "status", 6), ("apps", "apps", 4), ("seen", "seen", 6)]

    SORTS = pages.JOB_SORTS

    def fetch_window(self, flt: Filter, limit: int, before_id: int | None, order: tuple[str, bool] | None = None,
                     offset: int = 0) -> Window:
        return pages.job_window(self.tapp.db, flt, limit=limit, before_id=before_id, order=order, offset=offset)

    def fetch_count(self, flt: Filter) -> int | None:
        return pages.job_count(self.tapp.db, flt)

    def cells(self, r: dict[str, Any]) -> tuple[Any, ...]:
        return (Text(str(r["id"])), lit(r["company"], max_len=16), lit(r["title"], max_len=40),
                lit(r["location"], max_len=12), lit(r["site"] or "", max_len=20), status(r["status"]),
                Text(str(r["applications"])), Text(since(r["first_seen_at"], self.tapp.now())))

    def open_detail(self, key: str) -> None:
        self.tapp.fetch_then(lambda: pages.job_detail(self.tapp.db, int(key)), self._detail)

    def _detail(self, j: dict[str, Any] | None) -> None:
        if j is None:
            return
        body = kv([("company", j["company"]), ("title", j["title"]), ("location", j["location"]),
                   ("workplace", j["workplace"] or ""), ("site", j["site"] or ""), ("ats", j["ats"] or ""),
                   ("status", status(j["status"])), ("url", j["url"] or ""), ("apply url", j["apply_url"] or ""),
                   ("first seen", stamp(j["first_seen_at"])), ("last seen", stamp(j["last_seen_at"])),
                   ("key", j["canonical_key"])])
        body.append("\napplications\n", style="bold")
        for a in j["applications_list"]:
            body.append(f"  #{a['id']} ")
            body.append_text(status(a["status"]))
            body.append(" ")
            body.append_text(lit(a["full_name"]))
            body.append(f"  score {a['score'] if a['score'] is not None else '-'}\n")
        body.append("\ndescription\n", style="bold")
        body.append_text(lit(j["description"], max_len=4000))
        if j.get("parsed"):
            body.append("\n\nparsed\n", style="bold")
            body.append_text(pretty_json(j["parsed"]))
        self.app.push_screen(TextScreen(f"Job {j['id']}", body))


class CandidatesView(PagedView):
    VIEW = "candidates"
    TITLE_TEXT = "Candidates"
    SPEC = filters.CANDIDATE_SPEC
    NOUN = "candidates"
    COLUMNS = [("id", "id", 6), ("name", "name", 22), ("location", "location", 14), ("status", "status", 8),
               ("policy", "policy", 14), ("apps", "apps", 5), ("sent", "sent", 5)]

    SORTS = pages.CANDIDATE_SORTS

    def fetch_window(self, flt: Filter, limit: int, before_id: int | None, order: tuple[str, bool] | None = None,
                     offset: int = 0) -> Window:
        return pages.candidate_window(self.tapp.db, flt, limit=limit, before_id=before_id, order=order, offset=offset)

    def fetch_count(self, flt: Filter) -> int | None:
        return pages.candidate_count(self.tapp.db, flt)

    def cells(self, r: dict[str, Any]) -> tuple[Any, ...]:
        return (Text(str(r["id"])), lit(r["full_name"], max_len=22), lit(r["location"] or "", max_len=14),
                status(r["status"]), lit(r["apply_policy"]), Text(str(r["applications"])), Text(str(r["submitted"])))

    def open_detail(self, key: str) -> None:
        self.tapp.fetch_then(lambda: pages.candidate_detail(self.tapp.db, int(key)), self._detail)

    def _detail(self, c: dict[str, Any] | None) -> None:
        if c is None:
            return
        prof = c["profile"] or {}
        body = kv([("name", c["full_name"]), ("location", c["location"] or ""), ("status", status(c["status"])),
                   ("policy", c["apply_policy"]), ("resume", c["resume_path"] or ""),
                   ("skills", ", ".join(map(str, prof.get("skills") or []))),
                   ("years", str((prof.get("work") or {}).get("years_experience") or "")),
                   ("created", stamp(c["created_at"]))])
        confirm = [str(f) for f in prof.get("to_confirm") or []]
        if confirm:
            conf_raw = prof.get("confidence")
            conf: dict[str, Any] = conf_raw if isinstance(conf_raw, dict) else {}
            body.append("\nto confirm before applying\n", style="bold white on red")
            for f in confirm:
                body.append("  ")
                body.append_text(lit(f))
                if isinstance(conf.get(f), (int, float)):
                    body.append(f"  (confidence {float(conf[f]):.2f})", style="dim")
                body.append("\n")
                if f == "experience":
                    _guessed_roles(body, prof.get("experience"))
                elif f == "skills":
                    _ocr_corrections(body, (prof.get("resume") or {}).get("ocr_corrections"))
            body.append("  the parser guessed these: put the right values in the candidate's profile file and run "
                        "talvix candidates add --resume FILE --profile FILE\n", style="dim")
        body.append("\napplications\n", style="bold")
        for a in c["applications_list"]:
            body.append(f"  #{a['id']} ")
            body.append_text(status(a["status"]))
            body.append(" ")
            body.append_text(lit(f"{a['title']} · {a['company']}"))
            body.append("\n")
        self.app.push_screen(TextScreen(f"Candidate {c['id']}", body))


def _guessed_roles(body: Text, roles: Any) -> None:
    """Under "experience": each role with a field the parser guessed or could not find, and which."""
    for n, role in enumerate(roles if isinstance(roles, list) else [], 1):
        if not isinstance(role, dict):
            continue
        guessed = [str(g) for g in role.get("guessed") or []]
        missing = [k for k in ("employer", "title") if not role.get(k)]
        if not guessed and not missing:
            continue
        dates = " - ".join(str(role.get(k) or "?") for k in ("start", "end"))
        body.append(f"    role {n}: ")
        body.append_text(lit(f"{role.get('title') or '?'} at {role.get('employer') or '?'} ({dates})", max_len=120))
        note = "; ".join(x for x in (f"guessed: {', '.join(guessed)}" if guessed else "",
                                      f"missing: {', '.join(missing)}" if missing else "") if x)
        body.append_text(lit(f"  {note}", "yellow", max_len=120))
        body.append("\n")


def _ocr_corrections(body: Text, corrections: Any) -> None:
    """Under "skills": each skill the parser corrected from an OCR misreading, as read and as corrected."""
    for c in corrections if isinstance(corrections, list) else []:
        if isinstance(c, dict):
            body.append("    OCR read ")
            body.append_text(lit(c.get("read"), max_len=60))
            body.append(" as the skill ")
            body.append_text(lit(c.get("skill"), max_len=60))
            body.append("\n")


class AuditView(PagedView):
    VIEW = "audit"
    TITLE_TEXT = "Audit"
    SPEC = filters.AUDIT_SPEC
    NOUN = "operator actions"
    COLUMNS = [("id", "id", 5), ("when", "when", 19), ("actor", "who", 20), ("action", "action", 14),
               ("target", "target", None)]

    SORTS = pages.AUDIT_SORTS

    def fetch_window(self, flt: Filter, limit: int, before_id: int | None, order: tuple[str, bool] | None = None,
                     offset: int = 0) -> Window:
        return pages.audit_window(self.tapp.db, flt, limit=limit, before_id=before_id, order=order, offset=offset)

    def fetch_count(self, flt: Filter) -> int | None:
        return pages.audit_count(self.tapp.db, flt)

    _labels: dict[int, dict[str, dict[str, Any]]] = {}

    def fetch(self, req: Any) -> Any:
        out = super().fetch(req)
        window = out[1]
        tasks = {i for r in window.rows if r["action"] == "approve" and (r["details"] or {}).get("edits")
                 for i in (r["target_ids"] or [])}
        self._labels = pages.answer_labels(self.tapp.db, sorted(tasks), cipher=self.tapp.cipher) if tasks else {}
        return out

    def edit_lines(self, r: dict[str, Any]) -> list[tuple[str, Any, Any]]:
        """(question, old, new) for each edited answer of an approval (the question, never the form's
        internal field name, when the answer sheet knows it)."""
        edits = (r["details"] or {}).get("edits") or {}
        known: dict[str, dict[str, Any]] = {}
        for i in r["target_ids"] or []:
            known.update(self._labels.get(i, {}))
        out = []
        from core.crypto import open_sealed

        for name, new in edits.items():
            f = known.get(name) or {}
            out.append((f.get("label") or name, f.get("value"), open_sealed(self.tapp.cipher, new)))
        return out

    def cells(self, r: dict[str, Any]) -> tuple[Any, ...]:
        ids = r["target_ids"] or []
        target = f"{r['target_type'] or ''} {','.join(map(str, ids[:8]))}{' ...' if len(ids) > 8 else ''}"
        edits = self.edit_lines(r)
        if edits:
            target += "  " + "; ".join(f"{q}: {'(blank)' if old in (None, '') else old} -> {new}"
                                       for q, old, new in edits)
        elif not ids and r["details"]:
            target += " " + ", ".join(f"{k}={v}" for k, v in r["details"].items())
        return (Text(str(r["id"])), Text(stamp(r["ts"])), lit(r["actor"], max_len=20), lit(r["action"]),
                lit(target.strip(), max_len=200))

    def cell_token(self, r: dict[str, Any]) -> Any:
        return tuple(self.edit_lines(r)) if (r["details"] or {}).get("edits") else None

    def open_detail(self, key: str) -> None:
        r = self.rows.get(key)
        if r is None:
            return
        body = kv([("when", stamp(r["ts"])), ("who", r["actor"]), ("action", r["action"]),
                   ("target", r["target_type"] or ""), ("ids", ", ".join(map(str, r["target_ids"] or [])))])
        edits = self.edit_lines(r)
        if edits:
            body.append("\nedited answers\n", style="bold")
            for q, old, new in edits:
                body.append_text(lit(q))
                body.append(": ")
                body.append_text(lit("(blank)" if old in (None, "") else old, "dim"))
                body.append(" -> ")
                body.append_text(lit(new, "bold yellow"))
                body.append("\n")
        body.append("\ndetails\n", style="bold")
        body.append_text(pretty_json(r["details"]))
        self.app.push_screen(TextScreen(f"Operator action {r['id']}", body))
