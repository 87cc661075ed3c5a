"""Per-candidate notification preferences: channels, language, timezone and quiet hours, opt-out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import InvalidInput

DEFAULT_TZ = "Asia/Kolkata"
CHANNELS = ("whatsapp", "email")


@dataclass
class Prefs:
    candidate_id: int
    channels: list[str] = field(default_factory=lambda: list(CHANNELS))
    language: str = "en"
    timezone: str = DEFAULT_TZ
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    opted_out: list[str] = field(default_factory=list)
    candidate_decides: bool = False
    #: Kept for old rows; whether a number is on WhatsApp is now cached per number (``wa_number_checks``).
    wa_checked_at: datetime | None = None

    def active_channels(self) -> list[str]:
        return [c for c in self.channels if c not in self.opted_out]


def load(conn: Any, candidate_id: int) -> Prefs:
    row = conn.execute("SELECT * FROM notification_prefs WHERE candidate_id = %s", (candidate_id,)).fetchone()
    if row is None:
        return Prefs(candidate_id)
    return Prefs(candidate_id, list(row["channels"]), row["language"], row["timezone"], row["quiet_start"],
                 row["quiet_end"], list(row["opted_out"]), bool(row["candidate_decides"]), row["wa_checked_at"])


def save(conn: Any, candidate_id: int, **changes: Any) -> Prefs:
    """Set preferences (only the given keys); checked here so a bad value is a one-line error."""
    allowed = {"channels", "language", "timezone", "quiet_start", "quiet_end", "opted_out", "candidate_decides"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"unknown notification preference {sorted(unknown)[0]!r}")
    if "channels" in changes:
        bad = [c for c in changes["channels"] if c not in CHANNELS]
        if bad:
            raise InvalidInput(f"unknown channel {bad[0]!r} (channels: {', '.join(CHANNELS)})")
    if "timezone" in changes:
        try:
            ZoneInfo(changes["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"unknown timezone {changes['timezone']!r} (e.g. Asia/Kolkata)") from None
    cur = load(conn, candidate_id)
    for k, v in changes.items():
        setattr(cur, k, v)
    conn.execute(
        """INSERT INTO notification_prefs (candidate_id, channels, language, timezone, quiet_start, quiet_end,
                                           opted_out, candidate_decides, updated_at)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, now())
           ON CONFLICT (candidate_id) DO UPDATE SET channels = EXCLUDED.channels, language = EXCLUDED.language,
               timezone = EXCLUDED.timezone, quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end,
               opted_out = EXCLUDED.opted_out, candidate_decides = EXCLUDED.candidate_decides, updated_at = now()""",
        (candidate_id, cur.channels, cur.language, cur.timezone, cur.quiet_start, cur.quiet_end, cur.opted_out,
         cur.candidate_decides),
    )
    return cur


def opt_out(conn: Any, candidate_id: int, channels: list[str] | None = None) -> Prefs:
    cur = load(conn, candidate_id)
    stopped = sorted(set(cur.opted_out) | set(channels or CHANNELS))
    conn.execute(
        """INSERT INTO notification_prefs (candidate_id, opted_out, opted_out_at) VALUES (%s, %s, now())
           ON CONFLICT (candidate_id) DO UPDATE SET opted_out = EXCLUDED.opted_out, opted_out_at = now(),
               updated_at = now()""", (candidate_id, stopped))
    cur.opted_out = stopped
    return cur


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def quiet_until(prefs: Prefs, now: datetime) -> datetime | None:
    """When the candidate's quiet hours end, if ``now`` is inside them (in their timezone); else None."""
    if prefs.quiet_start == prefs.quiet_end:
        return None
    local = now.astimezone(zone(prefs.timezone))
    t = local.time().replace(tzinfo=None)
    start, end = prefs.quiet_start, prefs.quiet_end
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    end_day = local.date() if t < end else local.date() + timedelta(days=1)
    resume = datetime.combine(end_day, end, tzinfo=local.tzinfo)
    return resume.astimezone(UTC)


def parse_quiet(text: str) -> tuple[time, time]:
    """``21:00-08:00`` (or ``off``) as the quiet window's start and end."""
    if text.strip().lower() == "off":
        return time(0, 0), time(0, 0)
    try:
        start, end = (time.fromisoformat(p.strip()) for p in text.split("-", 1))
    except ValueError:
        raise InvalidInput(f"--quiet: {text[:40]!r} is not HH:MM-HH:MM (e.g. 21:00-08:00) or 'off'") from None
    return start, end


def as_dict(p: Prefs) -> dict[str, Any]:
    quiet = "off" if p.quiet_start == p.quiet_end else f"{p.quiet_start:%H:%M}-{p.quiet_end:%H:%M}"
    return {"candidate_id": p.candidate_id, "channels": p.channels, "language": p.language, "timezone": p.timezone,
            "quiet": quiet, "opted_out": p.opted_out, "candidate_decides": p.candidate_decides}
