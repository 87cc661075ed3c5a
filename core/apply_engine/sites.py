"""Site budgets and soft blocks: Talvix is a careful applicant on every employer's site.

* **Budgets.** A minimum interval between two sessions on one site (claimed atomically on the
  ``sites`` row, so two runners on two hosts cannot both go), and daily caps of submissions per site and
  per candidate per site, from ``[sites."<host>"]`` in talvix.toml (``settings.sites``; a site without an
  entry uses the ``default`` entry, else the built-in defaults). Values on the ``sites`` row
  (``min_interval_s``, ``daily_cap``) set by an operator win over the file.
* **Soft blocks.** A 429 or 403 page, a visible captcha challenge, a login wall or "daily limit" text is a
  block: that application stops (a person, or a later retry for a 429 or a daily limit) and an event
  tells the operator. The site itself pauses only after ``apply.block_threshold`` blocks within
  ``apply.block_window_s`` (:func:`record_block`), never on one page's first look: the ``sites`` row says
  why and nothing tries to get past it. A 429 or a daily limit pauses for ``apply.block_pause_minutes``;
  a captcha, a 403 or a login wall pauses until an operator resumes the site. Passive captchas (an
  invisible hCaptcha, a reCAPTCHA v3 badge, hidden response fields) are not blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.config import Settings, SiteSettings
from core.db import Database
from core.queue import add_event, audit

_CAPTCHA = re.compile(r"verify (that )?you are (a )?human|are you a robot|complete the security check|captcha|"
                      r"i am human|checking your browser|just a moment\.\.\.", re.I)
_DAILY = re.compile(r"daily limit|limit of applications|too many applications|application limit", re.I)
_RATE = re.compile(r"too many requests|rate limit(ed)?|slow down", re.I)
_BLOCKED = re.compile(r"access denied|you have been blocked|forbidden|request blocked|unusual traffic", re.I)


# A captcha is a wall only when it is a VISIBLE, interactive challenge: a challenge iframe or widget of a
# real size on screen, or a challenge page (Cloudflare's). Passive captchas (invisible hCaptcha on Lever,
# reCAPTCHA v3/enterprise and its badge on Ashby, hidden ``*-captcha-response`` inputs) are ignored.
VISIBLE_CHALLENGE_JS = (
    "const visibleChallenge = () => {"
    " const real = e => { let n = e; while (n && n.nodeType === 1) { const cs = getComputedStyle(n);"
    "   if (cs.display === 'none' || cs.visibility === 'hidden' || parseFloat(cs.opacity) === 0) return false;"
    "   n = n.parentElement; }"
    "  const r = e.getBoundingClientRect();"
    "  return r.width >= 40 && r.height >= 40 && r.bottom + scrollY > 0 && r.right + scrollX > 0; };"
    " const passive = e => !!e.closest('.grecaptcha-badge, [data-size=invisible], [data-badge]')"
    "  || /[?&#]size=invisible/i.test(e.getAttribute('src') || '');"
    " const frames = Array.from(document.querySelectorAll('iframe')).filter(f =>"
    "  /captcha|turnstile|challenges\\.cloudflare/i.test(f.getAttribute('src') || '')"
    "  || /challenge|captcha/i.test(f.getAttribute('title') || ''));"
    " if (frames.some(f => !passive(f) && real(f))) return true;"
    " const widgets = Array.from(document.querySelectorAll('.g-recaptcha, .h-captcha, .cf-turnstile'));"
    " if (widgets.some(w => !passive(w) && real(w))) return true;"
    " return Array.from(document.querySelectorAll('#challenge-form, #challenge-running, #cf-challenge-running,"
    " .cf-challenge, #challenge-stage')).some(real);"
    "};"
)


@dataclass(frozen=True)
class SoftBlock:
    kind: str  # rate_limit | blocked | captcha | login_wall | daily_limit
    reason: str
    until_resumed: bool  # True: only an operator lifts the pause


@dataclass(frozen=True)
class Budget:
    min_interval_s: float
    daily_cap: int
    daily_cap_per_candidate: int


class SiteBusy(Exception):
    """The site's budget says not now; ``delay_s`` says when to try again."""

    def __init__(self, reason: str, delay_s: float) -> None:
        super().__init__(reason)
        self.delay_s = delay_s


def budget_for(settings: Settings, site: str, row: dict[str, Any] | None = None) -> Budget:
    conf: SiteSettings = settings.sites.get(site) or settings.sites.get("default") or SiteSettings()
    interval = conf.min_interval_seconds
    cap = conf.daily_cap
    if row is not None:
        if row.get("min_interval_s") is not None:
            interval = float(row["min_interval_s"])
        if row.get("daily_cap") is not None:
            cap = int(row["daily_cap"])
    return Budget(interval, cap, conf.daily_cap_per_candidate)


def classify(status: int | None, text: str, *, title: str = "", has_form: bool = False,
             has_password: bool = False, captcha_frame: bool = False) -> SoftBlock | None:
    """Whether a loaded page is a soft block, and which kind. ``None`` for an ordinary page."""
    sample = f"{title}\n{text[:4000]}"
    if status == 429 or (not has_form and _RATE.search(sample)):
        return SoftBlock("rate_limit", f"HTTP {status or 429}: too many requests", False)
    if captcha_frame or (not has_form and _CAPTCHA.search(sample)):
        return SoftBlock("captcha", "captcha page: needs a person", True)
    if _DAILY.search(sample) and not has_form:
        return SoftBlock("daily_limit", "the site says the daily limit of applications is reached", False)
    if status == 403 or (not has_form and _BLOCKED.search(sample)):
        return SoftBlock("blocked", f"HTTP {status or 403}: access denied by the site", True)
    if has_password and not has_form:
        return SoftBlock("login_wall", "login wall: the site asks to sign in", True)
    return None


def _row(conn: Any, site: str) -> dict[str, Any]:
    conn.execute("INSERT INTO sites (site) VALUES (%s) ON CONFLICT (site) DO NOTHING", (site,))
    return conn.execute("SELECT * FROM sites WHERE site = %s FOR UPDATE", (site,)).fetchone()


def paused(db: Database, site: str) -> dict[str, Any] | None:
    """The pause on a site if one is in force (reason, until), else None."""
    row = db.one("""SELECT site, pause_reason, paused_until FROM sites
                     WHERE site = %s AND paused AND (paused_until IS NULL OR paused_until > now())""", (site,))
    return row


def reserve(db: Database, settings: Settings, site: str, candidate_id: int | None) -> None:
    """Claim this site for one session now, or raise :class:`SiteBusy` saying when to come back.

    Runs under the site row's lock, so the minimum interval holds across runners and hosts.
    """
    with db.transaction() as conn:
        row = _row(conn, site)
        if row["paused"] and (row["paused_until"] is None or _later(conn, row["paused_until"])):
            wait = _seconds_until(conn, row["paused_until"]) if row["paused_until"] else 3600.0
            raise SiteBusy(f"site {site} is paused: {row['pause_reason'] or 'by an operator'}", wait)
        budget = budget_for(settings, site, row)
        day = _day_counts(conn, site, candidate_id, settings.timezone)
        if budget.daily_cap and day["site"] >= budget.daily_cap:
            raise SiteBusy(f"site {site}: daily cap of {budget.daily_cap} submissions reached",
                           day["seconds_to_midnight"])
        if candidate_id is not None and budget.daily_cap_per_candidate and day["candidate"] >= budget.daily_cap_per_candidate:
            raise SiteBusy(f"site {site}: daily cap of {budget.daily_cap_per_candidate} submissions for this candidate "
                           f"reached", day["seconds_to_midnight"])
        if row["last_action_at"] is not None and budget.min_interval_s > 0:
            got = conn.execute(
                "SELECT extract(epoch FROM (%s::timestamptz + make_interval(secs => %s)) - now())::float8 AS w",
                (row["last_action_at"], budget.min_interval_s)).fetchone()
            wait = got["w"] if got else 0.0
            if wait > 0:
                raise SiteBusy(f"site {site}: next session allowed in {wait:.0f}s (minimum interval "
                               f"{budget.min_interval_s:g}s)", wait)
        conn.execute("UPDATE sites SET last_action_at = now(), updated_at = now() WHERE site = %s", (site,))


def _later(conn: Any, ts: datetime) -> bool:
    return bool(conn.execute("SELECT %s::timestamptz > now() AS x", (ts,)).fetchone()["x"])


def _seconds_until(conn: Any, ts: datetime) -> float:
    return max(1.0, float(conn.execute("SELECT extract(epoch FROM %s::timestamptz - now())::float8 AS s",
                                       (ts,)).fetchone()["s"]))


def _day_counts(conn: Any, site: str, candidate_id: int | None, tz: str) -> dict[str, float]:
    row = conn.execute(
        """WITH d AS (SELECT date_trunc('day', now() AT TIME ZONE %(tz)s) AT TIME ZONE %(tz)s AS start)
           SELECT count(*) FILTER (WHERE true) AS site_n,
                  count(*) FILTER (WHERE a.candidate_id = %(cand)s) AS cand_n,
                  extract(epoch FROM (SELECT start FROM d) + interval '1 day' - now())::float8 AS left_s
             FROM applications a JOIN jobs j ON j.id = a.job_id
            WHERE j.site = %(site)s AND a.submit_marker_at >= (SELECT start FROM d)""",
        {"tz": tz, "cand": candidate_id, "site": site},
    ).fetchone()
    return {"site": int(row["site_n"]), "candidate": int(row["cand_n"]), "seconds_to_midnight": float(row["left_s"])}


def record_block(db: Database, settings: Settings, site: str, block: SoftBlock, *, url: str | None = None,
                 task_id: int | None = None, application_id: int | None = None, candidate_id: int | None = None,
                 job_id: int | None = None) -> bool:
    """Note a soft block on a site; pause the site once ``apply.block_threshold`` blocks fell within
    ``apply.block_window_s``. Returns whether the site is now paused.

    Every block is an event (kind ``site``, ``data.block``) the operator sees; counting them under the
    site row's lock means two runners meeting the same block count it twice, never pause twice.
    """
    cfg = settings.apply
    with db.transaction() as conn:
        _row(conn, site)
        add_event(conn, f"soft block on site {site}: {block.reason}", level="warning", kind="site", agent="apply",
                  task_id=task_id, application_id=application_id, candidate_id=candidate_id, job_id=job_id,
                  data={"site": site, "kind": block.kind, "url": url, "block": True})
        row = conn.execute(
            """SELECT count(*) AS n FROM events WHERE kind = 'site' AND data->>'block' = 'true' AND data->>'site' = %s
                  AND ts > now() - make_interval(secs => %s)""", (site, cfg.block_window_s)).fetchone()
        n = int(row["n"]) if row else 0
    if n < cfg.block_threshold:
        return False
    pause(db, settings, site, block, url=url, task_id=task_id, application_id=application_id,
          candidate_id=candidate_id, job_id=job_id, count=n)
    return True


def pause(db: Database, settings: Settings, site: str, block: SoftBlock, *, url: str | None = None,
          task_id: int | None = None, application_id: int | None = None, candidate_id: int | None = None,
          job_id: int | None = None, count: int | None = None) -> None:
    """Pause a site for a soft block and tell the operator (a warning event of kind ``site``)."""
    minutes = None if block.until_resumed else settings.apply.block_pause_minutes
    with db.transaction() as conn:
        _row(conn, site)
        conn.execute(
            """UPDATE sites SET paused = true, pause_reason = %s,
                      paused_until = CASE WHEN %s::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => %s::float8 * 60) END,
                      updated_at = now() WHERE site = %s""",
            (block.reason, minutes, minutes, site),
        )
        until = "until an operator resumes it" if minutes is None else f"for {minutes:g} minutes"
        seen = f" ({count} blocks in {settings.apply.block_window_s / 60:g} min)" if count else ""
        add_event(conn, f"site {site} paused {until}: {block.reason}{seen}", level="warning", kind="site", agent="apply",
                  task_id=task_id, application_id=application_id, candidate_id=candidate_id, job_id=job_id,
                  data={"site": site, "kind": block.kind, "url": url, "until_resumed": block.until_resumed})


def resume(db: Database, site: str, who: str | None = None) -> bool:
    """Lift a site's pause (an operator's decision, audited). Returns whether it was paused."""
    with db.transaction() as conn:
        row = conn.execute("""UPDATE sites SET paused = false, paused_until = NULL, pause_reason = NULL, updated_at = now()
                               WHERE site = %s AND paused RETURNING site""", (site,)).fetchone()
        if row is not None:
            add_event(conn, f"site {site} resumed", kind="site", agent="apply", data={"site": site})
            audit(conn, "resume_site", target_type="site", details={"site": site}, who=who)
    return row is not None


def list_sites(db: Database) -> list[dict[str, Any]]:
    return db.execute(
        """SELECT site, paused, paused_until, pause_reason, min_interval_s, daily_cap, last_action_at
             FROM sites ORDER BY paused DESC, site""")


def paused_sites(db: Database) -> list[str]:
    """The sites paused now, by name."""
    return [r["site"] for r in db.execute("SELECT site FROM sites WHERE paused ORDER BY site")]
