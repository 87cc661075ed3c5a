"""The outcomes schedules: follow-up sweep, calibration and mail reading are defaults that fire only in a
build that has their agents."""

from __future__ import annotations

from core.config import load_settings
from runners.scheduler import load_schedules


def test_outcome_defaults_are_active_with_their_agents_and_inactive_without(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(data_dir=tmp_path)
    rows = {s.name: s for s in load_schedules(settings)}
    assert (rows["follow_up_sweep"].agent, rows["follow_up_sweep"].payload, rows["follow_up_sweep"].active) == \
        ("follow_up", {"sweep": True}, True)
    assert rows["calibration"].agent == "calibrate" and rows["calibration"].active
    assert rows["mail_sync"].agent == "read_mail" and rows["mail_sync"].cron == "*/30 * * * *"
    without = {s.name: s for s in load_schedules(settings, known_agents={"maintenance"})}
    for name in ("follow_up_sweep", "calibration", "mail_sync"):
        assert not without[name].active and "is not installed" in (without[name].inactive_reason or "")
