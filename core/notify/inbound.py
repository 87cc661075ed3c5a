"""Candidates' replies: verify the provider's webhook, read the messages, act on each one.

Signatures: WAHA signs the raw body with HMAC-SHA512 (``X-Webhook-Hmac``, ``X-Webhook-Hmac-Algorithm``);
Evolution API sends the headers configured on its webhook, here ``X-Webhook-Secret`` (or ``Authorization:
Bearer``) holding the shared secret; the Cloud API signs with the app secret, ``X-Hub-Signature-256:
sha256=<hex>``. Anything unsigned or wrongly signed is refused.

A reply is matched to the candidate through the keyed hash of the number we last wrote to. Then:
``STOP`` opts the candidate out; an answer to "needs your answer" fills that question on the application's
answer sheet and, once every question of that task is answered, queues the application again; ``YES``/``NO``
to an approval request approves or rejects when the candidate's preferences let them decide. Anything else
goes to the operator, never guessed. Every reply is an event; the body is stored encrypted, never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from core import queue
from core.crypto import seal
from core.errors import NotFound, TalvixError
from core.notify import prefs as prefs_mod
from core.notify.channels.whatsapp import digits
from core.notify.outbox import AGENT
from core.notify.settings import WhatsAppSettings

log = logging.getLogger("talvix.notify.inbound")

#: How a candidate's WhatsApp answer is labelled on the answer sheet (its source).
REPLY_SOURCE = "candidate (whatsapp reply)"
STOP_WORDS = {"STOP", "UNSUBSCRIBE", "STOP ALL", "रोकें", "बंद"}
YES_WORDS = {"YES", "Y", "हाँ", "हां", "HAAN"}
NO_WORDS = {"NO", "N", "नहीं", "NAHI"}


class Refused(TalvixError):
    """The webhook request is not from the provider (no or a wrong signature)."""


@dataclass
class Inbound:
    provider: str
    message_id: str
    from_number: str   # digits
    text: str


# ------------------------------------------------------------------------------------------------
# Signatures
# ------------------------------------------------------------------------------------------------
def _header(headers: Any, name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    return str(value or "").strip()


def verify(provider: str, headers: Any, raw: bytes, cfg: WhatsAppSettings) -> None:
    """Raise :class:`Refused` unless the request carries the provider's valid signature or secret."""
    if provider == "cloud":
        secret = cfg.cloud_app_secret
        if not secret:
            raise Refused("WA_CLOUD_APP_SECRET is not set: Cloud API webhooks cannot be verified")
        got = _header(headers, "X-Hub-Signature-256")
        if not got:
            raise Refused("unsigned Cloud API webhook (no X-Hub-Signature-256)")
        want = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(got.lower(), want):
            raise Refused("wrong X-Hub-Signature-256 on a Cloud API webhook")
        return
    secret = cfg.webhook_secret
    if not secret:
        raise Refused("WA_WEBHOOK_SECRET is not set: gateway webhooks cannot be verified")
    if provider == "waha":
        got = _header(headers, "X-Webhook-Hmac")
        algo = (_header(headers, "X-Webhook-Hmac-Algorithm") or "sha512").lower()
        if not got:
            raise Refused("unsigned WAHA webhook (no X-Webhook-Hmac)")
        if algo not in ("sha512", "sha256"):
            raise Refused(f"unsupported WAHA HMAC algorithm {algo[:20]!r}")
        want = hmac.new(secret.encode(), raw, getattr(hashlib, algo)).hexdigest()
        if not hmac.compare_digest(got.lower(), want):
            raise Refused("wrong X-Webhook-Hmac on a WAHA webhook")
        return
    if provider == "evolution":
        got = _header(headers, "X-Webhook-Secret")
        if not got:
            auth = _header(headers, "Authorization")
            got = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if not got:
            raise Refused("unsigned Evolution webhook (no X-Webhook-Secret or Authorization header)")
        if not hmac.compare_digest(got.encode(), secret.encode()):
            raise Refused("wrong secret on an Evolution webhook")
        return
    raise Refused(f"unknown provider {provider[:20]!r}")


# ------------------------------------------------------------------------------------------------
# Payloads
# ------------------------------------------------------------------------------------------------
def parse(provider: str, body: Any) -> list[Inbound]:
    """The text messages a candidate sent, from the provider's webhook body (other events are ignored)."""
    out: list[Inbound] = []
    if provider == "waha" and isinstance(body, dict) and body.get("event") in ("message", "message.any"):
        p = body.get("payload") or {}
        if isinstance(p, dict) and not p.get("fromMe") and str(p.get("from", "")).endswith(("@c.us", "@s.whatsapp.net")):
            out.append(Inbound("waha", str(p.get("id") or ""), digits(str(p["from"]).split("@")[0]), str(p.get("body") or "")))
    elif provider == "evolution" and isinstance(body, dict) and str(body.get("event", "")).lower() in (
            "messages.upsert", "messages_upsert"):
        items = body.get("data")
        for d in items if isinstance(items, list) else [items]:
            if not isinstance(d, dict):
                continue
            key = d.get("key") or {}
            jid = str(key.get("remoteJid") or "")
            if key.get("fromMe") or not jid.endswith("@s.whatsapp.net"):
                continue
            msg = d.get("message") or {}
            text = msg.get("conversation") or (msg.get("extendedTextMessage") or {}).get("text") or ""
            out.append(Inbound("evolution", str(key.get("id") or ""), digits(jid.split("@")[0]), str(text)))
    elif provider == "cloud" and isinstance(body, dict) and body.get("object") == "whatsapp_business_account":
        for entry in body.get("entry") or []:
            for change in (entry or {}).get("changes") or []:
                value = (change or {}).get("value") or {}
                for m in value.get("messages") or []:
                    kind = m.get("type")
                    if kind == "text":
                        text = (m.get("text") or {}).get("body", "")
                    elif kind == "button":
                        text = (m.get("button") or {}).get("text", "")
                    elif kind == "interactive":
                        inter = m.get("interactive") or {}
                        text = (inter.get("button_reply") or inter.get("list_reply") or {}).get("title", "")
                    else:
                        text = ""
                    out.append(Inbound("cloud", str(m.get("id") or ""), digits(str(m.get("from") or "")), str(text)))
    return [m for m in out if m.message_id and m.from_number]


# ------------------------------------------------------------------------------------------------
# Acting on a reply
# ------------------------------------------------------------------------------------------------
def _word(text: str) -> str:
    return " ".join(text.strip().strip(".!").upper().split())


def handle(db: Any, cipher: Any, msg: Inbound) -> dict[str, Any]:
    """Record one reply and act on it. A provider's redelivery of the same message does nothing."""
    from_hash = cipher.lookup_hash(msg.from_number)
    with db.transaction() as conn:
        row = conn.execute(
            """INSERT INTO inbound_messages (provider, provider_msg_id, from_hash, body_enc)
               VALUES (%s, %s, %s, %s) ON CONFLICT (provider, provider_msg_id) DO NOTHING RETURNING id""",
            (msg.provider, msg.message_id[:200], from_hash, cipher.encrypt(msg.text, context=b"inbound"))).fetchone()
        if row is None:
            return {"outcome": "duplicate"}
        inbound_id = row["id"]
        last = conn.execute(
            """SELECT candidate_id FROM notifications WHERE to_hash = %s AND channel = 'whatsapp'
                 AND status IN ('sent', 'unknown') ORDER BY sent_at DESC NULLS LAST, id DESC LIMIT 1""",
            (from_hash,)).fetchone()
        if last is None:
            conn.execute("UPDATE inbound_messages SET outcome = 'unknown sender' WHERE id = %s", (inbound_id,))
            queue.add_event(conn, f"reply {inbound_id} from a number we never wrote to: for the operator",
                            level="warning", kind="audit", agent=AGENT, data={"inbound_id": inbound_id})
            return {"outcome": "unknown_sender", "inbound_id": inbound_id}
        cand = last["candidate_id"]
        conn.execute("UPDATE inbound_messages SET candidate_id = %s WHERE id = %s", (cand, inbound_id))
        word = _word(msg.text)
        if word in STOP_WORDS:
            prefs_mod.opt_out(conn, cand)
            conn.execute("""UPDATE notifications SET status = 'suppressed', error = 'the candidate replied STOP',
                                   updated_at = now() WHERE candidate_id = %s AND status = 'pending'""", (cand,))
            conn.execute("UPDATE inbound_messages SET kind = 'stop', outcome = 'opted out' WHERE id = %s", (inbound_id,))
            queue.add_event(conn, f"candidate {cand} replied STOP: opted out of every channel", level="warning",
                            kind="audit", agent=AGENT, candidate_id=cand, data={"inbound_id": inbound_id})
            return {"outcome": "opted_out", "candidate_id": cand, "inbound_id": inbound_id}
        asking = conn.execute(
            """SELECT * FROM notifications WHERE candidate_id = %s AND awaiting_reply AND replied_at IS NULL
                 AND channel = 'whatsapp' AND status IN ('sent', 'unknown')
               ORDER BY sent_at NULLS LAST, id LIMIT 1 FOR UPDATE""", (cand,)).fetchone()
        if asking is not None and asking["template"] == "needs_answer" and msg.text.strip():
            return _answer(conn, cipher, asking, cand, inbound_id, msg.text.strip())
        approval = None
        if asking is not None and asking["template"] == "approval_request" and word in YES_WORDS | NO_WORDS:
            p = prefs_mod.load(conn, cand)
            if p.candidate_decides:
                conn.execute("UPDATE notifications SET replied_at = now() WHERE id = %s", (asking["id"],))
                kind = "approve" if word in YES_WORDS else "reject"
                conn.execute("UPDATE inbound_messages SET kind = %s, notification_id = %s WHERE id = %s",
                             (kind, asking["id"], inbound_id))
                approval = (kind, asking)
            else:
                conn.execute("""UPDATE inbound_messages SET kind = 'unrecognised', notification_id = %s,
                                       outcome = 'policy leaves the decision to an operator' WHERE id = %s""",
                             (asking["id"], inbound_id))
                queue.add_event(conn, f"candidate {cand} replied {word} to an approval request, but their policy "
                                      "leaves the decision to an operator", level="warning", kind="audit",
                                agent=AGENT, candidate_id=cand, application_id=asking["application_id"],
                                data={"inbound_id": inbound_id, "notification_id": asking["id"]})
                return {"outcome": "for_operator", "candidate_id": cand, "inbound_id": inbound_id}
        if approval is None:
            conn.execute("UPDATE inbound_messages SET outcome = 'for the operator' WHERE id = %s", (inbound_id,))
            queue.add_event(conn, f"unrecognised reply {inbound_id} from candidate {cand}: for the operator "
                                  "(talvix notifications --replies)", level="warning", kind="audit", agent=AGENT,
                            candidate_id=cand, data={"inbound_id": inbound_id})
            return {"outcome": "for_operator", "candidate_id": cand, "inbound_id": inbound_id}
    # Approve/reject in their own transaction (the queue's audited operations).
    kind, asking = approval
    task_id: Any = (asking["context"] or {}).get("task_id")
    who = f"candidate {cand} (WhatsApp reply)"
    try:
        if kind == "approve":
            queue.approve(db, int(task_id), who=who)
        else:
            queue.reject(db, int(task_id), "the candidate replied NO", who=who)
        outcome = "approved" if kind == "approve" else "rejected"
    except (NotFound, TypeError, ValueError):
        outcome = "task no longer waiting"
    with db.transaction() as conn:
        conn.execute("UPDATE inbound_messages SET outcome = %s WHERE id = %s", (outcome, inbound_id))
        queue.add_event(conn, f"candidate {cand} replied {kind.upper()}: {outcome}", kind="audit", agent=AGENT,
                        candidate_id=cand, application_id=asking["application_id"],
                        data={"inbound_id": inbound_id, "task_id": task_id})
    return {"outcome": outcome, "candidate_id": cand, "inbound_id": inbound_id}


def _answer(conn: Any, cipher: Any, asking: dict[str, Any], cand: int, inbound_id: int, answer: str) -> dict[str, Any]:
    """Fill the question on the answer sheet; queue the application again once its questions are answered."""
    ctx = asking["context"] or {}
    field_name, label, task_id = ctx.get("field") or ctx.get("question"), ctx.get("question"), ctx.get("task_id")
    conn.execute("UPDATE notifications SET replied_at = now() WHERE id = %s", (asking["id"],))
    conn.execute("UPDATE inbound_messages SET kind = 'answer', notification_id = %s WHERE id = %s",
                 (asking["id"], inbound_id))
    app_id = asking["application_id"]
    if app_id is not None:
        app = conn.execute("SELECT answer_sheet FROM applications WHERE id = %s FOR UPDATE", (app_id,)).fetchone()
        sheet = dict((app or {}).get("answer_sheet") or {})
        fields = list(sheet.get("fields") or [])
        for f in fields:
            if f.get("name") == field_name or f.get("label") == label:
                # a candidate's answer is personal data: sealed like every answer (docs/hardening.md)
                f.update(value=seal(cipher, answer), source=REPLY_SOURCE, confidence=1.0)
        sheet["fields"] = fields
        sheet["unanswered"] = [u for u in sheet.get("unanswered") or [] if u not in (field_name, label)]
        conn.execute("UPDATE applications SET answer_sheet = %s, updated_at = now() WHERE id = %s",
                     (Jsonb(sheet), app_id))
    queue.add_event(conn, f"candidate {cand} answered {str(label)[:80]!r}", kind="audit", agent=AGENT,
                    candidate_id=cand, application_id=app_id,
                    data={"inbound_id": inbound_id, "notification_id": asking["id"], "field": field_name})
    outcome = "answered"
    if task_id is not None:
        open_questions = conn.execute(
            """SELECT count(*) AS n FROM notifications WHERE template = 'needs_answer' AND replied_at IS NULL
                 AND status IN ('pending', 'sending', 'sent', 'unknown') AND (context->>'task_id')::bigint = %s""",
            (int(task_id),)).fetchone()["n"]
        if open_questions == 0:
            answers: dict[str, Any] = {}
            for r in conn.execute(
                    """SELECT n.context, i.body_enc FROM notifications n
                         JOIN inbound_messages i ON i.notification_id = n.id AND i.kind = 'answer'
                        WHERE n.template = 'needs_answer' AND (n.context->>'task_id')::bigint = %s ORDER BY i.id""",
                    (int(task_id),)).fetchall():
                c = r["context"] or {}
                answers[str(c.get("field") or c.get("question"))] = (cipher.decrypt(r["body_enc"], context=b"inbound")
                                                                     or "").strip()
            answers[str(field_name)] = answer
            answers = {k: seal(cipher, v) for k, v in answers.items()}  # sealed in the task's payload
            resumed = resume_with_answers(conn, int(task_id), answers, who=f"candidate {cand} (WhatsApp reply)",
                                          sources=dict.fromkeys(answers, REPLY_SOURCE))
            outcome = "resumed" if resumed else "answered (task no longer waiting)"
    conn.execute("UPDATE inbound_messages SET outcome = %s WHERE id = %s", (outcome, inbound_id))
    return {"outcome": outcome, "candidate_id": cand, "inbound_id": inbound_id, "task_id": task_id}


def resume_with_answers(conn: Any, task_id: int, answers: dict[str, Any], *, who: str,
                        sources: dict[str, str] | None = None) -> bool:
    """Queue a task waiting for a person again with the candidate's answers (``payload.answers``).

    ``sources`` (``payload.answer_sources``) says whose each answer is; the apply engine labels the answer
    with it on the sheet (e.g. ``candidate (whatsapp reply)``), never as the operator's.

    Answers are not an operator's approval: an application whose policy holds it for approval still waits
    for one after it is filled.
    """
    row = conn.execute(
        """UPDATE tasks SET status = 'queued', attempts = 0, run_at = now(), lease_until = NULL, updated_at = now(),
                  payload = payload || jsonb_build_object(
                      'answers', COALESCE(payload->'answers', '{}'::jsonb) || %s::jsonb,
                      'answer_sources', COALESCE(payload->'answer_sources', '{}'::jsonb) || %s::jsonb)
            WHERE id = %s AND status = 'needs_human' RETURNING id, agent, candidate_id, job_id, application_id""",
        (json.dumps(answers), json.dumps(sources or {}), task_id)).fetchone()
    if row is None:
        return False
    queue.add_event(conn, f"resumed by {who} with {len(answers)} answer(s)", kind="state", agent=row["agent"],
                    task_id=row["id"], candidate_id=row["candidate_id"], job_id=row["job_id"],
                    application_id=row["application_id"], data={"answered": sorted(answers)})
    conn.execute("SELECT pg_notify(%s, %s)", (queue.CHANNEL_TASKS, row["agent"]))
    queue.audit(conn, "resume_with_answers", target_type="task", target_ids=[row["id"]],
                details={"fields": sorted(answers)}, who=who)
    return True


def replies(db: Any, cipher: Any, *, limit: int = 50, candidate_id: int | None = None) -> list[dict[str, Any]]:
    """Recent replies with their text decrypted, for the operator (show them literally, never as markup)."""
    rows = db.execute(
        """SELECT id, provider, candidate_id, notification_id, kind, outcome, received_at, body_enc
             FROM inbound_messages WHERE (%(c)s::bigint IS NULL OR candidate_id = %(c)s)
            ORDER BY id DESC LIMIT %(n)s""", {"c": candidate_id, "n": limit})
    out = []
    for r in rows:
        body = r.pop("body_enc")
        r["text"] = cipher.decrypt(body, context=b"inbound") if body is not None else None
        out.append(r)
    return out
