"""``talvix outcome``, ``talvix calibrate``, ``talvix mail`` and ``talvix followups``: closing the loop.

* ``talvix outcome APPLICATION no_response|rejected|interview|offer|withdrawn [--note TEXT]`` records an
  operator's outcome (an interview queues ``interview_prep`` and a notification);
* ``talvix calibrate`` fits a calibration now and shows its figures against the scoring in use
  (``--list`` the versions, ``--rollback [VERSION]`` stop using the active one); exit 3 when there are too
  few confirmed outcomes (nothing fitted);
* ``talvix mail sync|pending|confirm|dismiss`` reads the configured mailboxes and settles what they suggest;
* ``talvix followups [--status S]`` lists follow-ups with their recipients and text.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.main import Context
from cli.output import print_json
from core.safetext import clean


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive id, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive id, got {text!r}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    from core.outcomes.kinds import CLASSES, OPERATOR_KINDS

    p = sub.add_parser("outcome", help="record what came of an application (interview, rejection ...)",
                       description="Record an outcome for an application; it counts at once (calibration, "
                                   "follow-ups stop). An interview queues interview_prep and a notification.")
    p.add_argument("application", type=_positive, metavar="APPLICATION", help="the application id")
    p.add_argument("kind", choices=OPERATOR_KINDS, metavar="KIND", help=" | ".join(OPERATOR_KINDS))
    p.add_argument("--note", metavar="TEXT", help="what happened, in a few words (kept encrypted)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_outcome)

    c = sub.add_parser("calibrate", help="fit scoring to confirmed outcomes; versions and rollback",
                       description="Fit a calibration from confirmed outcomes and judge it on held-back ones "
                                   "against the scoring in use; it ships only when it ranks them better beyond "
                                   "noise. Exit 3: too few confirmed outcomes, nothing fitted.")
    g = c.add_mutually_exclusive_group()
    g.add_argument("--list", action="store_true", help="list the calibration versions and their figures")
    g.add_argument("--rollback", nargs="?", const=0, type=int, metavar="VERSION",
                   help="stop using the active calibration (back to the previous shipped one, or VERSION)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(handler=cmd_calibrate)

    m = sub.add_parser("mail", help="read candidates' mailboxes and settle what the replies say")
    msub = m.add_subparsers(dest="mail_action", metavar="ACTION", required=True)
    s = msub.add_parser("sync", help="read new messages from the configured mailboxes")
    s.add_argument("mailbox", nargs="?", help="one mailbox name from [outcomes.mailboxes]")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_mail_sync)
    pe = msub.add_parser("pending", help="messages waiting for an operator's decision")
    pe.add_argument("--json", action="store_true")
    pe.set_defaults(handler=cmd_mail_pending)
    co = msub.add_parser("confirm", help="confirm what a message says (it then counts)")
    co.add_argument("message", type=_positive, metavar="MESSAGE")
    co.add_argument("--as", dest="classification", choices=CLASSES, help="correct the classification")
    co.add_argument("--application", type=_positive, help="link it to this application instead")
    co.add_argument("--json", action="store_true")
    co.set_defaults(handler=cmd_mail_confirm)
    di = msub.add_parser("dismiss", help="the message says nothing about an application")
    di.add_argument("message", type=_positive, metavar="MESSAGE")
    di.add_argument("--reason", default="")
    di.set_defaults(handler=cmd_mail_dismiss)

    f = sub.add_parser("followups", help="follow-ups drafted, held, ready and sent")
    f.add_argument("--status", choices=("draft", "awaiting_approval", "ready", "queued", "sent", "cancelled"))
    f.add_argument("--limit", type=_positive, default=50)
    f.add_argument("--json", action="store_true")
    f.set_defaults(handler=cmd_followups)


def cmd_outcome(ctx: Context) -> int:
    from core.crypto import load_cipher
    from core.outcomes.records import record_outcome

    out = record_outcome(ctx.db(), load_cipher(ctx.settings), ctx.args.application, ctx.args.kind, note=ctx.args.note)
    if ctx.args.json:
        print_json(out)
        return 0
    what = "recorded" if out["created"] else "was already recorded"
    print(f"application {out['application_id']}: {out['kind']} {what} (outcome {out['id']})")
    for f in out["follow_ons"]:
        if "task_id" in f:
            print(f"queued {f['agent']} (task {f['task_id']})")
        else:
            print(f"notification {f['notification_id']} by {f['channel']}")
    return 0


def _figures_lines(report: dict[str, Any]) -> list[str]:
    fig = report["figures"]
    new, cur = fig["calibrated"], fig["current"]
    lines = [f"held-back outcomes: {report['n_holdout']} of {report['n_outcomes']} ({report['positives']} positive)",
             f"{'':12} {'AUC':>7} {'Brier':>7}",
             f"{'calibrated':12} {new['auc']!s:>7} {new['brier']!s:>7}",
             f"{'current':12} {cur['auc']!s:>7} {cur['brier']!s:>7}",
             "interview rate per band (calibrated): band  n  rate  [Wilson 95%]"]
    for r in new["reliability"]:
        if r["n"]:
            lines.append(f"  {r['band']:>7} {r['n']:>5} {r['rate']:>6.3f}  [{r['wilson_low']:.3f}, {r['wilson_high']:.3f}]")
    return lines


def cmd_calibrate(ctx: Context) -> int:
    from core.outcomes import calibration
    from core.storage import Storage

    db = ctx.db()
    if ctx.args.list:
        rows = calibration.versions(db)
        if ctx.args.json:
            print_json(rows)
            return 0
        if not rows:
            print("no calibration yet: scoring uses the raw fit")
        for r in rows:
            print(f"v{r['version']:<4} {r['status']:<11} {'active' if r['active'] else '':<6} outcomes {r['n_outcomes']:<5} "
                  f"AUC {r['auc']} (was {r['auc_current']})  Brier {r['brier']} (was {r['brier_current']})  "
                  f"{r['created_at']:%Y-%m-%d %H:%M}")
        return 0
    if ctx.args.rollback is not None:
        out = calibration.rollback(db, to_version=ctx.args.rollback or None)
        if ctx.args.json:
            print_json(out)
        else:
            print(out["message"])
        return 0
    storage = Storage(ctx.settings.storage_path)
    storage.ensure()
    report = calibration.run(db, storage, ctx.settings)
    if ctx.args.json:
        print_json(report)
        return 0
    print(f"calibration v{report['version']}: {report['status']} ({report['path']})")
    for line in _figures_lines(report):
        print(line)
    print(report["reason"])
    return 0


def cmd_mail_sync(ctx: Context) -> int:
    from core.crypto import load_cipher
    from core.outcomes import mail

    out = mail.sync(ctx.db(), load_cipher(ctx.settings), ctx.settings, ctx.args.mailbox)
    if ctx.args.json:
        print_json(out)
        return 0
    if not out:
        print("no mailbox configured ([outcomes.mailboxes] in talvix.toml)")
    for box in out:
        counts = ", ".join(f"{v} {k}" for k, v in sorted(box["counts"].items())) or "nothing new"
        print(f"{box['mailbox']}: {box['fetched']} new message(s): {counts}")
    return 0


def cmd_mail_pending(ctx: Context) -> int:
    from core.crypto import load_cipher
    from core.outcomes.records import pending_messages

    rows = pending_messages(ctx.db(), load_cipher(ctx.settings))
    if ctx.args.json:
        print_json([{k: v for k, v in r.items() if k != "excerpt"} for r in rows])
        return 0
    if not rows:
        print("no message waits for a decision")
    for r in rows:
        target = f"application {r['application_id']} ({clean(r['company'])}: {clean(r['title'])})"
        print(f"{r['id']:>6}  {r['classification']:<12} {target}  link {r['link_confidence']}  "
              f"from {clean(r['sender'])}: {clean(r['subject'])[:80]}")
    return 0


def cmd_mail_confirm(ctx: Context) -> int:
    from core.crypto import load_cipher
    from core.outcomes.records import confirm_message

    out = confirm_message(ctx.db(), load_cipher(ctx.settings), ctx.args.message,
                          classification=ctx.args.classification, application_id=ctx.args.application)
    if ctx.args.json:
        print_json(out)
        return 0
    o = out["outcome"]
    print(f"message {out['message_id']} confirmed as {out['classification']}"
          + (f": outcome {o['kind']} for application {out['application_id']}" if o else " (no outcome)"))
    return 0


def cmd_mail_dismiss(ctx: Context) -> int:
    from core.outcomes.records import dismiss_message

    dismiss_message(ctx.db(), ctx.args.message, reason=ctx.args.reason)
    print(f"message {ctx.args.message} dismissed")
    return 0


def cmd_followups(ctx: Context) -> int:
    from core.crypto import load_cipher
    from core.outcomes.followups import list_followups

    rows = list_followups(ctx.db(), load_cipher(ctx.settings), status=ctx.args.status, limit=ctx.args.limit)
    if ctx.args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no follow-ups")
    for r in rows:
        to = clean(r["recipient"]) if r["recipient"] else "the candidate"
        print(f"{r['id']:>6}  application {r['application_id']} #{r['seq']}  {r['status']:<17} {r['kind']:<18} "
              f"to {to}: {clean(r['subject'])}")
    return 0
