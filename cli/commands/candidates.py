"""Candidate commands: ``talvix parse-resume``, ``talvix candidates add``, ``talvix candidates``."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

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
    con = _console()
    conf = view["confidence"]
    table = Table("field", "value", "confidence", show_header=True)
    for key in ("name", "email", "phone", "location"):
        table.add_row(key, literal(view[key] or ""), f"{conf.get(key, 0):.2f}")
    table.add_row("links", literal(", ".join(f"{k}: {v}" for k, v in view["links"].items()
                                             if isinstance(v, str))), f"{conf.get('links', 0):.2f}")
    table.add_row("years", str(view["years_experience"] if view["years_experience"] is not None else ""),
                  f"{conf.get('years_experience', 0):.2f}")
    table.add_row("skills", literal(", ".join(view["skills"]), max_len=200), f"{conf.get('skills', 0):.2f}")
    for e in view["experience"]:
        table.add_row("experience", literal(f"{e['title']} at {e['employer']} ({e['start'] or '?'} - {e['end'] or '?'})"),
                      f"{conf.get('experience', 0):.2f}")
    for e in view["education"]:
        table.add_row("education", literal(" ".join(x for x in (e["degree"], e["field"], e["institution"], e["end"]) if x)),
                      f"{conf.get('education', 0):.2f}")
    con.print(table)
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
