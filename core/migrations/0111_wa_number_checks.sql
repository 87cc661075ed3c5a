-- Notifications (issue 12): whether a number is on WhatsApp, asked of the provider once per number (keyed
-- hash of its digits, never the number) before its first message, not before every message. A send the
-- provider refuses as "not on WhatsApp" forgets the answer, so the next message asks again. Safe to run twice.
CREATE TABLE IF NOT EXISTS wa_number_checks (
    to_hash      bytea PRIMARY KEY,           -- keyed hash of the number's digits (core.crypto lookup_hash)
    provider     text NOT NULL,               -- who answered: waha | evolution
    on_whatsapp  boolean NOT NULL,
    checked_at   timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE wa_number_checks ENABLE ROW LEVEL SECURITY;
