"""Candidate commands: ``talvix parse-resume``, ``talvix candidates add``, ``talvix candidates show``,
``talvix candidates``."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cli.main import MAX_ID, Context, check_range, input_file
from cli.output import print_json
from core.safetext import literal


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("parse-resume", help="parse a resume file (PDF, DOCX, TXT, Markdown) and print the result")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=cmd_parse_resume)

    c = sub.add_parser("candidates", help="list candidates, or add one from a resume (candidates add)")
    c.add_argument("--json", action="store_true", help="print a JSON array")
    c.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    c.add_argument("--after", type=int, default=0, metavar="ID", help="only candidates with a larger id (paging)")
    c.set_defaults(handler=cmd_candidates)
    csub = c.add_subparsers(dest="candidates_command", metavar="ACTION")
    a = csub.add_parser("add", help="add or update a candidate from a resume and an optional profile file")
    a.add_argument("--resume", required=True, metavar="FILE", help="PDF, DOCX, TXT or Markdown resume")
    a.add_argument("--profile", metavar="FILE", help="profile TOML that overrides and extends the resume")
    a.add_argument("--json", action="store_true", help="print one JSON object")
    a.set_defaults(handler=cmd_candidates_add)
    s = csub.add_parser("show", help="one candidate's profile with each field's confidence and what to confirm")
    s.add_argument("id", type=int, metavar="ID")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.set_defaults(handler=cmd_candidates_show)


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def cmd_parse_resume(ctx: Context) -> int:
    """Parse without touching the database (no settings needed), so it works on any machine."""
    from core.candidates.resume import flat_view, parse_resume

    path = Path(ctx.args.file)
    parsed = parse_resume(path)
    view = flat_view(parsed)
    if ctx.args.json:

        print_json(view)
        return 0
    _console().print(_profile_table(view))
    _print_to_confirm(view)
    return 0


def _profile_table(view: dict) -> Table:
    """Field, value, confidence and whether a person should confirm it (below the parser's threshold)."""
    conf = view.get("confidence") or {}
    confirm = set(view.get("to_confirm") or [])
    table = Table("field", "value", "confidence", "check", show_header=True)

    def row(label: str, key: str, value: Text | str) -> None:
        table.add_row(label, value, f"{conf.get(key, 0):.2f}", "confirm" if key in confirm else "")

    for key in ("name", "email", "phone", "location"):
        row(key, key, literal(view.get(key) or ""))
    row("links", "links", literal(", ".join(f"{k}: {v}" for k, v in (view.get("links") or {}).items()
                                            if isinstance(v, str))))
    years = view.get("years_experience")
    row("years", "years_experience", "" if years is None else str(years))
    row("skills", "skills", literal(", ".join(view.get("skills") or []), max_len=200))
    for e in view.get("experience") or []:
        guessed = ", ".join(str(g) for g in e.get("guessed") or [])
        row("experience", "experience", literal(f"{e.get('title') or '?'} at {e.get('employer') or '?'} "
                                                f"({e.get('start') or '?'} - {e.get('end') or '?'})"
                                                + (f" [guessed: {guessed}]" if guessed else ""), max_len=200))
    for e in view.get("education") or []:
        row("education", "education", literal(" ".join(
            x for x in (e.get("degree"), e.get("field"), e.get("institution"), e.get("end")) if x)))
    return table


def _print_to_confirm(view: dict) -> None:
    fields = view.get("to_confirm") or []
    if fields:
        print(f"to confirm before applying: {', '.join(fields)} (put the right values in a profile file and "
              "run talvix candidates add --resume FILE --profile FILE)")


def cmd_candidates_show(ctx: Context) -> int:
    from core.candidates.resume import flat_view
    from core.candidates.store import candidate_profile
    from core.crypto import load_cipher

    profile = candidate_profile(ctx.db(), load_cipher(ctx.settings), ctx.args.id)
    view = {"id": ctx.args.id, **flat_view(profile), "work": {k: v for k, v in (profile.get("work") or {}).items()
                                                               if v is not None}}
    if ctx.args.json:
        print_json(view)
        return 0
    _console().print(_profile_table(view))
    work = view["work"]
    terms = [f"{label}: {work[key]}" for key, label in (("current_company", "current company"),
                                                       ("current_title", "current title"),
                                                       ("notice_period_days", "notice period (days)"),
                                                       ("current_ctc_lpa", "current CTC (LPA)"),
                                                       ("expected_ctc_lpa", "expected CTC (LPA)")) if key in work]
    if terms:
        _console().print(literal("; ".join(str(t) for t in terms), max_len=300))
    _print_to_confirm(view)
    return 0


def cmd_candidates_add(ctx: Context) -> int:
    from core.candidates.intake import add_candidate
    from core.crypto import load_cipher
    from core.storage import Storage

    args = ctx.args
    resume = input_file(args.resume, "resume file")
    if args.profile:
        from core.candidates.profile import load_profile_file

        load_profile_file(args.profile)  # refused here, before the database is opened or a file stored
    settings = ctx.settings
    storage = Storage.from_settings(settings)
    storage.ensure()
    added = add_candidate(ctx.db(), storage, load_cipher(settings), resume, args.profile)
    if args.json:

        print_json({"id": added.candidate_id, "created": added.created, "resume_path": added.resume_path,
                    "parsed_path": added.parsed_path, "score_task_id": added.score_task_id})
    else:
        print(added.candidate_id)
    return 0


def cmd_candidates(ctx: Context) -> int:
    from core.candidates.store import list_candidates

    args = ctx.args
    check_range("--limit", args.limit, 1, 100_000, "how many candidates to list")
    check_range("--after", args.after, 0, MAX_ID, "list candidates with a larger id; 0 lists from the first")
    rows = list_candidates(ctx.db(), limit=args.limit, after_id=args.after)
    if args.json:

        print_json([{"id": r["id"], "name": r["full_name"], "location": r["location"], "status": r["status"],
                     "apply_policy": r["apply_policy"], "skills": r["skills"] or [],
                     "years_experience": r["years_experience"], "created_at": r["created_at"]} for r in rows])
        return 0
    table = Table("id", "name", "location", "status", "policy", "years", "skills")
    for r in rows:
        skills = r["skills"] or []
        table.add_row(str(r["id"]), literal(r["full_name"], max_len=30), literal(r["location"] or "", max_len=24),
                      r["status"], r["apply_policy"],
                      "" if r["years_experience"] is None else str(r["years_experience"]),
                      literal(", ".join(skills[:8]) + (" …" if len(skills) > 8 else ""), max_len=60))
    _console().print(table)
    if not rows:
        print("no candidates yet: add one with talvix candidates add --resume FILE [--profile FILE]")
    return 0
