"""Outcomes of applications and what Talvix learns from them: operator records, mailbox reading,
follow-ups and the calibration of scoring (see docs/outcomes.md)."""
