"""``talvix notify test``, ``talvix notify resolve``, ``talvix notifications`` and ``talvix webhook``."""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any

from rich.table import Table

from cli.main import Context
from cli.output import console, print_json, print_table
from core.errors import InvalidInput, TalvixError
from core.safetext import literal

STATES = ("pending", "sending", "sent", "failed", "unknown", "suppressed", "skipped")


def register(sub: argparse._SubParsersAction) -> None:
    n = sub.add_parser("notify", help="notifications: send a test message, resolve an unknown outcome")
    nsub = n.add_subparsers(dest="notify_command", metavar="ACTION", required=True)
    t = nsub.add_parser("test", help="send a test message with the configured settings; print success or the "
                                     "server's error")
    t.add_argument("--channel", required=True, choices=("email", "whatsapp"))
    t.add_argument("--to", required=True, metavar="ADDRESS", help="an email address or a phone number")
    t.add_argument("--language", default="en", choices=("en", "hi"))
    t.add_argument("--json", action="store_true")
    t.set_defaults(handler=cmd_notify_test)
    r = nsub.add_parser("resolve", help="record what a person found for a notification in state 'unknown'")
    r.add_argument("id", type=int)
    g = r.add_mutually_exclusive_group(required=True)
    g.add_argument("--sent", action="store_true", help="it reached the candidate")
    g.add_argument("--not-sent", action="store_true", help="it did not (it stays failed; nothing is resent)")
    r.add_argument("--provider-ref", default=None, help="the provider's message id, if found")
    r.set_defaults(handler=cmd_notify_resolve)
    rt = nsub.add_parser("retry", help="send a failed or skipped notification again (never one that may have "
                                       "gone out)")
    rt.add_argument("id", type=int)
    rt.add_argument("--json", action="store_true")
    rt.set_defaults(handler=cmd_notify_retry)

    pr = nsub.add_parser("prefs", help="show or set a candidate's channels, language, timezone, quiet hours, opt-out")
    pr.add_argument("candidate", type=int, metavar="CANDIDATE_ID")
    pr.add_argument("--channels", help="comma-separated, in order (whatsapp,email)")
    pr.add_argument("--language", choices=("en", "hi"))
    pr.add_argument("--timezone", help="e.g. Asia/Kolkata")
    pr.add_argument("--quiet", metavar="HH:MM-HH:MM", help="quiet hours in the candidate's timezone, or 'off'")
    pr.add_argument("--candidate-decides", choices=("yes", "no"),
                    help="whether the candidate's YES/NO replies approve or reject")
    pr.add_argument("--opt-in", action="append", default=[], metavar="CHANNEL",
                    help="undo an opt-out for a channel (the candidate asked again)")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(handler=cmd_notify_prefs)

    ls = sub.add_parser("notifications", help="list the outbox, newest first (or the candidates' replies)")
    ls.add_argument("--status", choices=STATES)
    ls.add_argument("--candidate", type=int, default=None, metavar="ID")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--replies", action="store_true", help="list the candidates' replies instead")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_notifications)

    w = sub.add_parser("webhook", help="serve the WhatsApp providers' inbound webhooks (behind the gateway)")
    w.add_argument("--port", type=int, required=True)
    w.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    w.set_defaults(handler=cmd_webhook)


def _notify_settings(ctx: Context) -> Any:
    from core.notify.settings import NotifySettings

    return NotifySettings.from_env(data_dir=ctx.settings.data_dir)


def cmd_notify_test(ctx: Context) -> int:
    from core.notify.channels import DeliveryError
    from core.notify.probe import mask, send_test

    args = ctx.args
    cfg = _notify_settings(ctx)
    try:
        accepted = send_test(cfg, args.channel, args.to, language=args.language)
    except DeliveryError as exc:
        raise TalvixError(f"{args.channel} test to {mask(args.to)} failed: {exc}") from None
    if args.json:
        print_json({"ok": True, "channel": args.channel, "to": mask(args.to), "provider": accepted.provider,
                     "provider_ref": accepted.provider_ref})
    else:
        console().print(literal(f"sent: {args.channel} test to {mask(args.to)} via {accepted.provider} "
                                 f"(message id {accepted.provider_ref})"))
    return 0


def cmd_notify_resolve(ctx: Context) -> int:
    from core.notify.outbox import resolve_unknown
    from core.queue import actor

    args = ctx.args
    resolve_unknown(ctx.db(), args.id, sent=bool(args.sent), who=actor(), provider_ref=args.provider_ref)
    console().print(f"notification {args.id}: recorded as {'sent' if args.sent else 'not sent'}")
    return 0


def cmd_notify_retry(ctx: Context) -> int:
    from core.notify.outbox import retry
    from core.queue import actor

    args = ctx.args
    task_id = retry(ctx.db(), args.id, who=actor())
    if args.json:
        print_json({"notification": args.id, "status": "pending", "task": task_id})
    else:
        console().print(f"notification {args.id}: queued to send again (task {task_id})")
    return 0


def cmd_notify_prefs(ctx: Context) -> int:
    from core.candidates import store as candidates_store
    from core.notify import prefs as prefs_mod
    from core.queue import audit

    args = ctx.args
    changes: dict[str, Any] = {}
    if args.channels is not None:
        changes["channels"] = [c.strip() for c in args.channels.split(",") if c.strip()]
        if not changes["channels"]:
            raise InvalidInput("--channels needs at least one channel (whatsapp, email)")
    if args.language:
        changes["language"] = args.language
    if args.timezone:
        changes["timezone"] = args.timezone
    if args.quiet:
        changes["quiet_start"], changes["quiet_end"] = prefs_mod.parse_quiet(args.quiet)
    if args.candidate_decides:
        changes["candidate_decides"] = args.candidate_decides == "yes"
    db = ctx.db()
    with db.transaction() as conn:
        if not candidates_store.exists(conn, args.candidate):
            raise InvalidInput(f"no candidate with id {args.candidate}")
        current = prefs_mod.load(conn, args.candidate)
        if args.opt_in:
            bad = [c for c in args.opt_in if c not in prefs_mod.CHANNELS]
            if bad:
                raise InvalidInput(f"--opt-in: unknown channel {bad[0]!r} (channels: whatsapp, email)")
            changes["opted_out"] = [c for c in current.opted_out if c not in args.opt_in]
        if changes:
            current = prefs_mod.save(conn, args.candidate, **changes)
            audit(conn, "notification_prefs", target_type="candidate", target_ids=[args.candidate],
                  details={k: str(v) for k, v in changes.items()})
    out = prefs_mod.as_dict(current)
    if args.json:
        print_json(out)
    else:
        for k, v in out.items():
            console().print(literal(f"{k}: {', '.join(v) if isinstance(v, list) else v}"))
    return 0


def cmd_notifications(ctx: Context) -> int:
    args = ctx.args
    if args.limit < 1:
        raise InvalidInput("--limit must be at least 1")
    db = ctx.db()
    if args.replies:
        from core.crypto import load_cipher
        from core.notify.inbound import replies

        rows = replies(db, load_cipher(ctx.settings), limit=args.limit, candidate_id=args.candidate)
        if args.json:
            print_json(rows)
            return 0
        _table(["id", "received", "candidate", "kind", "outcome", "text"],
               [[r["id"], r["received_at"].strftime("%Y-%m-%d %H:%M"), r["candidate_id"] or "-", r["kind"],
                 r["outcome"] or "", (r["text"] or "")[:60]] for r in rows])
        return 0
    from core.notify.outbox import list_outbox

    rows = list_outbox(db, status=args.status, candidate_id=args.candidate, limit=args.limit)
    if args.json:
        print_json(rows)
        return 0
    _table(["id", "cand", "app", "template", "via", "status", "tries", "error"],
           [[r["id"], r["candidate_id"] or "-", r["application_id"] or "-", r["template"],
             r["provider"] or r["channel"], r["status"], r["attempts"], (r["error"] or "")[:200]] for r in rows])
    return 0


def cmd_webhook(ctx: Context) -> int:
    from core.crypto import load_cipher
    from core.notify.webhook import WebhookServer

    args = ctx.args
    if not 1 <= args.port <= 65535:
        raise InvalidInput(f"--port must be between 1 and 65535, got {args.port}")
    cfg = _notify_settings(ctx).whatsapp
    from runners.logs import install_json_logging

    install_json_logging(ctx.settings.log_level)
    db = ctx.db()
    try:
        server = WebhookServer(db, load_cipher(ctx.settings), cfg, host=args.host, port=args.port)
    except OSError as exc:
        raise TalvixError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    import logging

    logging.getLogger("talvix.notify.webhook").info(
        "webhook listening", extra={"fields": {"event": "webhook.started", "host": args.host, "port": server.port}})
    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
    logging.getLogger("talvix.notify.webhook").info(
        "webhook stopped", extra={"fields": {"event": "webhook.stopped", "handled": server.handled,
                                             "refused": server.refusals}})
    return 0


def _table(headers: list[str], rows: list[list[Any]]) -> None:
    table = Table(show_edge=False, pad_edge=False, box=None)
    for h in headers:
        # Everything but the last column keeps its width; the last (an error, a reply) is what gets cut.
        table.add_column(h, no_wrap=True, overflow="ellipsis" if h == headers[-1] else "fold",
                         ratio=1 if h == headers[-1] else None)
    for row in rows:
        table.add_row(*[literal(str(v)) for v in row])
    print_table(table)
