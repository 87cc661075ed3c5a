"""Deliver one outbox row exactly once: what the ``notify`` agent runs.

1. Read the row; nothing to do if it is already ``sent``, ``failed`` or ``suppressed``. A row found in
   ``sending`` (a runner stopped after handing it to the provider, before recording the answer) or
   ``unknown`` goes to a person: it is never sent again automatically.
2. Opt-out, quiet hours (the candidate's timezone) and the channel's rate limit are checked; the address is
   decrypted, the template rendered and, before a number's first WhatsApp message, the provider asked
   whether it is on WhatsApp.
3. The marker (``sending``) is committed, fenced on the task's lease, then the provider is called.
4. The provider's answer is recorded: ``sent`` with its message id, or the provider's error (retried with
   backoff, or ``failed``), or ``unknown`` when the provider may have taken it.

Nothing here logs an address or a message body.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.crypto import load_cipher
from core.errors import NeedsHuman, PermanentError, RetryLater
from core.models import Task
from core.notify import prefs as prefs_mod
from core.notify.channels import Accepted, Channel, DeliveryError, Message
from core.notify.channels.email import EmailChannel
from core.notify.channels.whatsapp import digits, whatsapp_client
from core.notify.outbox import AGENT, ASKING, notify, sweep_stranded
from core.notify.settings import NotifySettings
from core.notify.templates import TemplateProblem, templates_for
from core.queue import add_event, assert_lease, clean_error

#: A number found not on WhatsApp is asked about again after this many days (it may have joined since).
NOT_ON_WHATSAPP_RECHECK_DAYS = 7

ChannelFactory = Callable[[str, NotifySettings], Channel]


def default_channel(name: str, cfg: NotifySettings) -> Channel:
    if name == "email":
        return EmailChannel(cfg.smtp)
    return whatsapp_client(cfg.whatsapp)


def _event(conn: Any, row: dict[str, Any], message: str, *, level: str = "info", task: Task | None = None,
           data: dict[str, Any] | None = None) -> None:
    add_event(conn, f"notification {row['id']} ({row['template']} by {row['channel']}): {message}", level=level,
              kind="state", agent=AGENT, task_id=task.id if task else None, candidate_id=row["candidate_id"],
              application_id=row["application_id"], runner_id=task.locked_by if task else None, data=data)


def _set(conn: Any, nid: int, status: str, **cols: Any) -> None:
    sets = ", ".join(f"{k} = %({k})s" for k in cols)
    conn.execute(f"UPDATE notifications SET status = %(status)s{', ' + sets if sets else ''}, updated_at = now() "
                 "WHERE id = %(id)s", {"status": status, "id": nid, **cols})


def _context(conn: Any, row: dict[str, Any]) -> dict[str, Any]:
    ctx = dict(row["context"] or {})
    cand = conn.execute("SELECT full_name FROM candidates WHERE id = %s", (row["candidate_id"],)).fetchone()
    if cand and cand["full_name"] and "candidate_name" not in ctx:
        ctx["candidate_name"] = cand["full_name"].split()[0]
    if row["application_id"] is not None and ("job_title" not in ctx or "company" not in ctx):
        job = conn.execute("""SELECT j.title, j.company FROM applications a JOIN jobs j ON j.id = a.job_id
                               WHERE a.id = %s""", (row["application_id"],)).fetchone()
        if job:
            ctx.setdefault("job_title", job["title"])
            ctx.setdefault("company", job["company"])
    ctx.setdefault("sent_at", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    return ctx


def _address(conn: Any, cipher: Any, row: dict[str, Any]) -> str | None:
    if row.get("audience") == "employer":  # a follow-up's recipient, encrypted as the follow-up keeps it
        from core.outcomes.followups import RECIPIENT_CONTEXT

        return cipher.decrypt(row["recipient_enc"], context=RECIPIENT_CONTEXT) if row["recipient_enc"] else None
    cand = conn.execute("SELECT email_enc, phone_enc FROM candidates WHERE id = %s", (row["candidate_id"],)).fetchone()
    if cand is None:
        return None
    if row["channel"] == "email":
        return cipher.decrypt(cand["email_enc"], context=b"email")
    return cipher.decrypt(cand["phone_enc"], context=b"phone")


def _sender_identity(conn: Any, cipher: Any, settings: Any, candidate_id: int) -> dict[str, str | None]:
    """How an email in the candidate's name names its sender (``outcomes.followup_from``): ``relay`` (the
    default) sends From "<candidate's name> <SENDER_EMAIL>" with Reply-To the candidate's own address, so the
    employer's answer reaches the candidate and the relay's domain signs the mail; ``candidate`` sends From
    the candidate's own address (a relay allowed to send as them)."""
    cand = conn.execute("SELECT full_name, email_enc FROM candidates WHERE id = %s", (candidate_id,)).fetchone()
    name = (cand or {}).get("full_name") or None
    own = cipher.decrypt(cand["email_enc"], context=b"email") if cand and cand["email_enc"] else None
    mode = getattr(getattr(settings, "outcomes", None), "followup_from", "relay")
    if mode == "candidate" and own:
        return {"from_name": name, "from_address": own, "reply_to": None}
    return {"from_name": name, "from_address": None, "reply_to": own}


def _finish(row: dict[str, Any], status: str, **extra: Any) -> dict[str, Any]:
    return {"notification_id": row["id"], "status": status, "channel": row["channel"], "template": row["template"],
            **extra}


def deliver(db: Any, settings: Any, notification_id: int, task: Task, *, storage: Any = None,
            cfg: NotifySettings | None = None, channel_factory: ChannelFactory = default_channel,
            log: Callable[..., None] | None = None) -> dict[str, Any]:
    log = log or (lambda *a, **k: None)
    cfg = cfg or NotifySettings.from_env(data_dir=getattr(settings, "data_dir", None))
    cipher = load_cipher(settings)

    # ---- 1-2: decide, outside any lock that the provider call could hold up --------------------------
    with db.transaction() as conn:
        sweep_stranded(conn)
    with db.transaction() as conn:
        row = conn.execute("SELECT * FROM notifications WHERE id = %s FOR UPDATE", (notification_id,)).fetchone()
        if row is None:
            raise PermanentError(f"no notification with id {notification_id}")
        if row["status"] in ("sent", "failed", "suppressed", "skipped"):
            return _finish(row, row["status"], already=True)
        if row["status"] in ("sending", "unknown"):
            assert_lease(conn, task)
            reason = ("a runner stopped after handing it to the provider and before recording the answer: check "
                      "whether it arrived (talvix notifications), then resolve it; it is never sent twice")
            if row["status"] == "sending":
                _set(conn, row["id"], "unknown", error=reason)
                _event(conn, row, "outcome unknown after a crash; a person decides", level="error", task=task)
        else:
            reason = ""
    if reason:
        raise NeedsHuman(f"notification {notification_id}: {reason}", {"notification_id": notification_id})

    employer = row.get("audience") == "employer"
    with db.transaction() as conn:
        prefs = prefs_mod.load(conn, row["candidate_id"])
        if employer:
            from core.outcomes.followups import why_not_sending

            why = why_not_sending(conn, row.get("followup_id"))
            if why:
                _set(conn, row["id"], "suppressed", error=clean_error(why))
                _event(conn, row, f"suppressed: {why}", task=task)
                return _finish(row, "suppressed", reason=why)
        if row["channel"] in prefs.opted_out and not employer:
            _set(conn, row["id"], "suppressed", error="the candidate opted out of this channel")
            _event(conn, row, "suppressed: the candidate opted out", task=task)
            return _finish(row, "suppressed")
        unset = not_configured(cfg, row["channel"])
        if unset:
            return _skip_unconfigured(conn, cfg, row, prefs, unset, task)
        now = conn.execute("SELECT now() AS now").fetchone()["now"]
        # Quiet hours are the candidate's: a note to an employer is not held by them.
        until = prefs_mod.quiet_until(prefs, now) if row["template"] != "test" and not employer else None
        if until is not None:
            conn.execute("UPDATE notifications SET not_before = %s, updated_at = now() WHERE id = %s",
                         (until, row["id"]))
            delay = max(1.0, (until - now).total_seconds())
            _event(conn, row, f"quiet hours in {prefs.timezone}: held until {until.isoformat()}", task=task)
            held = RetryLater(f"quiet hours for candidate {row['candidate_id']} until {until.isoformat()}", delay)
    if until is not None:
        raise held  # after the commit: the hold and its event are kept
    with db.transaction() as conn:
        address = _address(conn, cipher, row)
        if not address:
            _set(conn, row["id"], "suppressed", error=f"the candidate has no {'email address' if row['channel'] == 'email' else 'phone number'}")
            _event(conn, row, "suppressed: no address on file", level="warning", task=task)
            return _finish(row, "suppressed")
        context = _context(conn, row)
        identity: dict[str, str | None] = {}
        if employer:
            from core.outcomes.followups import for_sending

            context.update(for_sending(conn, cipher, row["followup_id"]))
            identity = _sender_identity(conn, cipher, settings, row["candidate_id"])
        in_window = False
        to_hash = cipher.lookup_hash(digits(address) if row["channel"] == "whatsapp" else address)
        if row["channel"] == "whatsapp":
            in_window = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM inbound_messages WHERE from_hash = %s "
                "AND received_at > now() - interval '24 hours') AS w", (to_hash,)).fetchone()["w"]

    try:
        rendered = templates_for(cfg.templates_dir).render(row["template"], row["language"], context)
        attachments = [storage.resolve(p) if storage is not None else Path(p) for p in context.get("attachments", [])]
        missing = [p.name for p in attachments if not p.is_file()]
        if missing:
            raise TemplateProblem(f"attachment {missing[0]} is missing from storage")
    except TemplateProblem as exc:
        with db.transaction() as conn:
            _set(conn, row["id"], "failed", error=clean_error(str(exc)))
            _event(conn, row, f"failed: {exc}", level="error", task=task)
        raise PermanentError(str(exc)) from None

    try:
        channel = channel_factory(row["channel"], cfg)
    except DeliveryError as exc:
        if exc.kind != "config":
            raise
        with db.transaction() as conn:
            return _skip_unconfigured(conn, cfg, row, prefs, str(exc), task)
    message = Message(to=address, subject=rendered.subject, text=rendered.text, html=rendered.html,
                      attachments=attachments, template=row["template"],
                      language=row["language"], template_params=rendered.params, in_window=bool(in_window),
                      **identity)

    try:
        return _send(db, cfg, row, task, channel, message, prefs, address, to_hash, log)
    finally:
        close = getattr(channel, "close", None)
        if close is not None:
            close()


def not_configured(cfg: NotifySettings, channel: str) -> str | None:
    """Why ``channel`` cannot send here (the settings to set), or None when it is configured."""
    if channel == "email":
        return None if cfg.smtp.configured else "email is not configured: set SMTP_SERVER and SENDER_EMAIL"
    if cfg.whatsapp.configured:
        return None
    if cfg.whatsapp.provider == "cloud":
        return "WhatsApp is not configured: set WA_CLOUD_PHONE_NUMBER_ID and WA_CLOUD_TOKEN"
    return ("WhatsApp is not configured: set WA_PROVIDER and WA_GATEWAY_URL (or, for the Cloud API, "
            "WA_CLOUD_PHONE_NUMBER_ID and WA_CLOUD_TOKEN)")


def _skip_unconfigured(conn: Any, cfg: NotifySettings, row: dict[str, Any], prefs: Any, why: str,
                       task: Task) -> dict[str, Any]:
    """The row's channel is not configured: send it by another configured channel of the candidate's
    preferences (its own outbox row, same key but the channel), or skip it, the setting named. Never an
    error the queue would retry: nothing changes until an operator sets the setting.

    A question the candidate must answer is not moved to email: replies are read on WhatsApp only.
    """
    others = [c for c in prefs.active_channels() if c != row["channel"] and not_configured(cfg, c) is None]
    if row.get("audience") == "employer":
        others = []  # a note to an employer goes by email or not at all
    instead = None
    if others and row["template"] not in ASKING:
        [instead] = notify(conn, template=row["template"], candidate_id=row["candidate_id"],
                           application_id=row["application_id"], period=row["period"], context=row["context"],
                           channels=[others[0]], language=row["language"])
        reason = f"{why}; sent by {instead.channel} instead (notification {instead.id})"
    elif others:
        reason = f"{why}; not moved to {others[0]}: the candidate's reply is read on {row['channel']} only"
    elif row.get("audience") == "employer":
        reason = f"{why}; a follow-up to an employer goes by email only"
    else:
        reason = f"{why}; the candidate has no other configured channel"
    _set(conn, row["id"], "skipped", error=clean_error(reason))
    _event(conn, row, f"skipped: {reason}", level="warning", task=task,
           data={"instead": instead.id if instead else None})
    return _finish(row, "skipped", reason=reason, instead=instead.id if instead else None)


def _send(db: Any, cfg: NotifySettings, row: dict[str, Any], task: Task, channel: Channel, message: Message, prefs: Any, address: str,
          to_hash: bytes, log: Callable[..., None]) -> dict[str, Any]:
    if row["channel"] == "whatsapp":
        known = db.one("SELECT on_whatsapp, checked_at > now() - make_interval(days => %s) AS fresh "
                       "FROM wa_number_checks WHERE to_hash = %s", (NOT_ON_WHATSAPP_RECHECK_DAYS, to_hash))
        exists: bool | None
        if known is not None and (known["on_whatsapp"] or known["fresh"]):
            exists = bool(known["on_whatsapp"])  # asked before: not again
        else:
            try:
                exists = channel.exists(address)
            except DeliveryError as exc:
                return _not_sent(db, row, task, exc, log)
            if exists is not None:
                db.execute("""INSERT INTO wa_number_checks (to_hash, provider, on_whatsapp) VALUES (%s, %s, %s)
                              ON CONFLICT (to_hash) DO UPDATE SET provider = EXCLUDED.provider,
                                  on_whatsapp = EXCLUDED.on_whatsapp, checked_at = now()""",
                           (to_hash, channel.provider, exists))
        if exists is False:
            with db.transaction() as conn:
                _set(conn, row["id"], "suppressed", error="the number is not on WhatsApp", provider=channel.provider)
                _event(conn, row, f"suppressed: {channel.provider} says the number is not on WhatsApp"
                       + (" (asked before)" if known is not None else ""), level="warning", task=task)
            return _finish(row, "suppressed", reason="not_on_whatsapp")

    # ---- 3: the marker, then the one provider call ------------------------------------------------------
    with db.transaction() as conn:
        # Lock the task first, then the row: the same order as every other path that takes both.
        assert_lease(conn, task)
        again = conn.execute("SELECT status FROM notifications WHERE id = %s FOR UPDATE", (row["id"],)).fetchone()
        if again["status"] != "pending":
            return _finish(row, again["status"], already=True)
        wait = _rate_wait(conn, row["channel"], cfg.rate_per_minute.get(row["channel"], 0))
        if wait is not None:
            raise RetryLater(f"{row['channel']} rate limit ({cfg.rate_per_minute[row['channel']]} a minute): "
                             f"next slot in {wait:.0f}s", wait)
        conn.execute(
            """UPDATE notifications SET status = 'sending', sending_at = now(), sending_runner = %s,
                      attempts = attempts + 1, provider = %s, to_hash = %s, updated_at = now() WHERE id = %s""",
            (task.locked_by, channel.provider, to_hash, row["id"]))
    log(f"sending notification {row['id']} ({row['template']}) by {row['channel']} via {channel.provider}")
    try:
        accepted: Accepted = channel.send(message)
    except DeliveryError as exc:
        if exc.sent is None:
            with db.transaction() as conn:
                _set(conn, row["id"], "unknown", error=clean_error(str(exc)))
                _event(conn, row, f"outcome unknown: {exc}", level="error", task=task)
            raise NeedsHuman(f"notification {row['id']}: {exc}; check whether it arrived, it is never sent twice",
                             {"notification_id": row["id"]}) from None
        return _not_sent(db, row, task, exc, log, to_hash)
    except Exception as exc:  # a bug after the marker: we cannot tell whether the provider took it
        with db.transaction() as conn:
            _set(conn, row["id"], "unknown", error=clean_error(exc))
            _event(conn, row, f"outcome unknown: {clean_error(exc)}", level="error", task=task)
        raise NeedsHuman(f"notification {row['id']}: {clean_error(exc)}", {"notification_id": row["id"]}) from None

    # ---- 4: record the acceptance (not fenced: what the provider took is recorded whoever holds the task)
    # A document that did not go is said on the row; the text went, so nothing is sent again.
    not_attached = "; ".join(f"{name}: {why}" for name, why in accepted.attachment_errors.items())
    with db.transaction() as conn:
        conn.execute(
            """UPDATE notifications SET status = 'sent', provider_ref = %s, sent_at = now(), error = %s,
                      updated_at = now() WHERE id = %s AND status = 'sending'""",
            (accepted.provider_ref, clean_error(f"sent without a document: {not_attached}") if not_attached else None,
             row["id"]))
        _event(conn, row, f"sent via {accepted.provider}"
               + (f" with {len(accepted.attachment_refs)} document(s)" if accepted.attachment_refs else "")
               + (f"; not attached: {clean_error(not_attached)}" if not_attached else ""),
               level="warning" if not_attached else "info", task=task,
               data={"provider": accepted.provider, "provider_ref": accepted.provider_ref,
                     "documents": accepted.attachment_refs, "not_attached": sorted(accepted.attachment_errors)})
        if row.get("followup_id") is not None:  # the follow-up is sent in the transaction that records it
            from core.outcomes.followups import sent_by_notification

            sent_by_notification(conn, int(row["followup_id"]), row["id"], accepted.provider_ref)
    return _finish(row, "sent", provider=accepted.provider, provider_ref=accepted.provider_ref,
                   documents=accepted.attachment_refs, not_attached=accepted.attachment_errors)


def _rate_wait(conn: Any, channel: str, per_minute: int) -> float | None:
    """Seconds until the channel has room under its per-minute limit (None: room now), across every runner.

    Runs under a per-channel transaction lock, so two runners cannot both take the last slot.
    """
    if per_minute <= 0:
        return None
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('talvix-notify-rate'), hashtext(%s))", (channel,))
    row = conn.execute(
        """SELECT count(*) AS n, extract(epoch FROM min(at) + interval '60 seconds' - now())::float8 AS wait
             FROM (SELECT COALESCE(sent_at, sending_at) AS at FROM notifications
                    WHERE channel = %s AND status IN ('sending', 'sent', 'unknown')
                      AND COALESCE(sent_at, sending_at) > now() - interval '60 seconds'
                    ORDER BY COALESCE(sent_at, sending_at) DESC LIMIT %s) recent""",
        (channel, per_minute)).fetchone()
    if row["n"] < per_minute:
        return None
    return max(1.0, float(row["wait"] or 1.0))


def _not_sent(db: Any, row: dict[str, Any], task: Task, exc: DeliveryError, log: Callable[..., None],
              to_hash: bytes | None = None) -> dict[str, Any]:
    """The provider surely did not take it: suppressed, retried with backoff, or failed for good."""
    error = clean_error(str(exc))
    if exc.kind == "not_on_whatsapp":
        with db.transaction() as conn:
            # What was known about this number is stale: the next message asks the provider again.
            conn.execute("DELETE FROM wa_number_checks WHERE to_hash = %s", (to_hash or row.get("to_hash") or b"",))
            _set(conn, row["id"], "suppressed", error=error, provider=exc.provider)
            _event(conn, row, f"suppressed: {error}", level="warning", task=task)
        return _finish(row, "suppressed", reason="not_on_whatsapp")
    last = task.attempts >= task.max_attempts
    if exc.retryable and not last:
        with db.transaction() as conn:
            _set(conn, row["id"], "pending", error=error, provider=exc.provider)
            _event(conn, row, f"not sent, will retry: {error}", level="warning", task=task)
        if exc.kind == "rate_limit":
            raise RetryLater(f"{exc.provider} rate limit: {error}", exc.delay_s or 60.0)
        raise RuntimeError(error)
    with db.transaction() as conn:
        _set(conn, row["id"], "failed", error=error, provider=exc.provider)
        _event(conn, row, f"failed: {error}", level="error", task=task)
    raise PermanentError(error)
