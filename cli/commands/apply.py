"""``talvix apply``: fill one form for one candidate, recorded in the database like any application.

``talvix apply --url URL --resume FILE --profile FILE (--dry-run | --submit) [--json] [--screenshots DIR]``
Exit codes: 0 dry run done or submitted, 3 needs a human (or waits for approval), 4 unknown outcome,
5 already applied, 1 error. ``talvix apply-sites`` lists site budgets and pauses; ``talvix apply-sites
resume SITE`` lifts a pause after a person has dealt with the block.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import socket
from pathlib import Path
from typing import Any

from cli.main import Context, input_file
from cli.output import print_json
from core.errors import TalvixError
from core.safetext import literal

EXIT = {"dry_run": 0, "submitted": 0, "needs_human": 3, "awaiting_approval": 3, "unknown_outcome": 4,
        "already_applied": 5, "failed": 1}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("apply", help="fill (and with --submit, submit) one application form in Chromium",
                       description="Fill one employer form for one candidate from their profile; --dry-run stops "
                                   "before submit. Exit codes: 0 done, 3 needs a human, 4 unknown outcome, "
                                   "5 already applied, 1 error.")
    p.add_argument("--url", required=True, help="the application form (or posting) URL")
    p.add_argument("--resume", required=True, metavar="FILE", help="the resume to upload")
    p.add_argument("--profile", required=True, metavar="FILE", help="the candidate profile (TOML)")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="fill and verify, never press submit")
    mode.add_argument("--submit", action="store_true", help="submit (once) when the answers allow it")
    p.add_argument("--approve", action="store_true",
                   help="the operator at this terminal approves: skip the approval hold of the policy")
    p.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    p.add_argument("--screenshots", metavar="DIR", help="also copy each step's screenshot into DIR")
    p.set_defaults(handler=cmd_apply)

    s = sub.add_parser("apply-sites", help="site budgets and soft-block pauses of the apply engine")
    s.add_argument("action", nargs="?", choices=("list", "resume"), default="list")
    s.add_argument("site", nargs="?", help="the site host (for resume)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_sites)


def _load_profile(profile_file: str, resume: Path) -> dict[str, Any]:
    """The profile file over the parsed resume (when the resume parser is installed)."""
    from core.candidates.profile import load_profile_file, merge

    profile = load_profile_file(profile_file)
    try:
        from agents.resume_parse import (
            parse_resume,  # another area's parser, when this build has it
        )
    except ImportError:
        return profile
    try:
        parsed = parse_resume(resume)
    except TalvixError:
        return profile  # an unreadable resume still uploads; the profile file is the source of facts
    return merge(parsed, profile) if isinstance(parsed, dict) else profile


def cmd_apply(ctx: Context) -> int:
    from core.applications import create_application
    from core.apply_engine.adapters import ats_of
    from core.apply_engine.answers import Documents
    from core.apply_engine.browser import LowMemory
    from core.apply_engine.engine import ApplyEngine, ApplyRequest, stricter
    from core.apply_engine.proxy import proxy_for
    from core.apply_engine.sites import SiteBusy
    from core.apply_engine.watchdog import install_sigterm_cleanup
    from core.candidates.store import apply_settings, candidate_proxy, save_candidate
    from core.crypto import load_cipher
    from core.jobs.store import canonical_url, site_of, upsert_job
    from core.storage import Storage

    args = ctx.args
    url = args.url.strip()
    if not url.startswith(("http://", "https://")):
        raise TalvixError(f"--url must be an http(s) URL (got {url[:80]!r})")
    resume = input_file(args.resume, "resume file")
    if args.screenshots and Path(args.screenshots).exists() and not Path(args.screenshots).is_dir():
        from core.errors import InvalidInput

        raise InvalidInput(f"--screenshots {args.screenshots} is a file; give a folder (a missing one is created)")
    profile = _load_profile(args.profile, resume)
    if not (profile.get("identity") or {}).get("email"):
        raise TalvixError(f"profile {args.profile} needs identity.email (it identifies the candidate, so a second "
                          f"run never applies twice)")
    install_sigterm_cleanup()
    settings = ctx.settings
    db = ctx.db()
    storage = Storage.from_settings(settings)
    storage.ensure()
    cipher = load_cipher(settings)
    data = resume.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    site = site_of(url)
    ats = ats_of(url)
    with db.transaction() as conn:
        cand_id, _ = save_candidate(db, cipher, profile, apply_policy=profile.get("apply_policy"), conn=conn)
    stored = storage.write("parsed-resumes", f"candidate-{cand_id}-{sha[:12]}-{resume.name}", data=data)
    with db.transaction() as conn:
        save_candidate(db, cipher, profile, resume_path=stored.relpath, resume_sha256=sha,
                       apply_policy=profile.get("apply_policy"), conn=conn)
        job_id, _ = upsert_job(conn, {"canonical_key": f"{ats}:url:{canonical_url(url)}", "source": "cli", "ats": ats,
                                      "url": url, "apply_url": url, "site": site})
        app_id, _ = create_application(conn, cand_id, job_id, status="ready", decision="apply")
    policy_row = apply_settings(db, cand_id)
    policy = stricter(policy_row["apply_policy"] if policy_row else settings.apply.default_policy,
                      settings.apply.site_policies.get(site or ""))
    req = ApplyRequest(application_id=app_id, url=url, profile=profile,
                       documents=Documents(resume=storage.plain(stored.path), resume_source="--resume"),
                       candidate_id=cand_id, job_id=job_id, site=site, submit=bool(args.submit), policy=policy,
                       approved=bool(args.approve), task=None,
                       runner_id=f"cli:{socket.gethostname()}:{os.getpid()}",
                       screenshots_dir=Path(args.screenshots) if args.screenshots else None)
    # The proxy exactly as the apply agent resolves it: the candidate's own, else the site's, else the global one.
    engine = ApplyEngine(settings, db, storage, proxy=proxy_for(settings, site, candidate_proxy(db, cipher, cand_id)))
    try:
        out = engine.run(req)
    except SiteBusy as exc:
        raise TalvixError(str(exc), hint="try again later, or change [sites] budgets in talvix.toml") from None
    except LowMemory as exc:
        raise TalvixError(str(exc), hint="close other browsers or free memory and run it again, or lower "
                                          "TALVIX_APPLY__MIN_FREE_MEMORY_MB (0 turns the check off)") from None
    except Exception as exc:
        from core.errors import BrowserError

        if isinstance(exc, (TalvixError, BrowserError)):
            raise
        from core.safetext import clean

        raise TalvixError(clean(f"apply failed: {type(exc).__name__}: {exc}")[:400]) from None
    shots = out.screenshot_copies or [str(storage.root / s) for s in out.screenshots]
    receipt = str(storage.root / out.receipt) if out.receipt else None
    if args.json:

        print_json({"outcome": out.outcome, "ats": out.ats, "reason": out.reason, "fields": out.fields(),
                    "unanswered": out.unanswered, "screenshots": shots, "receipt": receipt})
    else:
        _print_human(out, shots, receipt, app_id)
    return EXIT.get(out.outcome, 1)


def _print_human(out: Any, shots: list[str], receipt: str | None, app_id: int) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False, soft_wrap=False)
    table = Table("field", "type", "req", "value", "source", "conf")
    for f in out.fields():
        value = f["value"]
        table.add_row(literal(f["label"] or f["name"], max_len=50), f["type"], "*" if f["required"] else "",
                      literal("" if value is None else value, max_len=40), literal(f["source"] or "-", max_len=36),
                      f"{f['confidence']:.2f}")
    if out.fields():
        con.print(table)
    line = literal(f"application {app_id} on {out.ats}: {out.outcome}" + (f" - {out.reason}" if out.reason else ""))
    con.print(line)
    if out.unanswered:
        con.print(literal("needs an answer: " + "; ".join(out.unanswered)))
    if shots:
        con.print(literal(f"screenshots: {len(shots)} (last: {shots[-1]})"))
    if receipt:
        con.print(literal(f"receipt: {receipt}"))


def cmd_sites(ctx: Context) -> int:
    from core.apply_engine import sites

    db = ctx.db()
    if ctx.args.action == "resume":
        if not ctx.args.site:
            raise TalvixError("name the site to resume: talvix apply-sites resume SITE")
        if not sites.resume(db, ctx.args.site):
            raise TalvixError(f"site {ctx.args.site} is not paused")
        print(f"resumed {ctx.args.site}")
        return 0
    rows = sites.list_sites(db)
    if ctx.args.json:

        print_json(rows)
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table("site", "paused", "until", "reason", "last session")
    for r in rows:
        table.add_row(literal(r["site"]), "yes" if r["paused"] else "", str(r["paused_until"] or ""),
                      literal(r["pause_reason"] or "", max_len=60), str(r["last_action_at"] or ""))
    Console(highlight=False).print(table)
    return 0
