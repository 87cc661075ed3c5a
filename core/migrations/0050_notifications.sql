-- Notifications (issue 12): the outbox grows what exactly-once delivery needs, plus candidate preferences
-- and inbound replies. Safe to run twice.

-- The outbox. One row per key: (application or candidate, template, period, channel). The 'sending' state is
-- the send marker, committed before the provider is called: a reclaimed task that finds it without a provider
-- id goes to 'unknown' for a person, never to a second send.
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS period          text NOT NULL DEFAULT 'once';
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS language        text NOT NULL DEFAULT 'en';
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS context         jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS task_id         bigint;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS attempts        integer NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS provider        text;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS to_hash         bytea;           -- keyed hash of the address used
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS sending_at      timestamptz;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS sending_runner  text;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS not_before      timestamptz;     -- quiet hours / rate limit
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS awaiting_reply  boolean NOT NULL DEFAULT false;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS replied_at      timestamptz;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS updated_at      timestamptz NOT NULL DEFAULT now();
ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check CHECK (status IN (
    'pending',     -- waiting to be sent (or retried after a failure the provider reported)
    'sending',     -- marker committed, provider called: the outcome is not yet recorded
    'sent',        -- the provider accepted it (provider_ref holds its message id)
    'failed',      -- the provider refused it and retries are used up, or it cannot be retried
    'unknown',     -- a crash after the marker: a person checks whether it went out
    'suppressed'   -- not sent on purpose: opted out, not on WhatsApp, no address
));
CREATE INDEX IF NOT EXISTS notifications_status_idx ON notifications (status, id);
CREATE INDEX IF NOT EXISTS notifications_candidate_idx ON notifications (candidate_id, id) WHERE candidate_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS notifications_sent_idx ON notifications (channel, sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS notifications_reply_idx ON notifications (to_hash, sent_at DESC) WHERE awaiting_reply;

-- Per-candidate preferences: channels in order, language, timezone and quiet hours, opt-out.
CREATE TABLE IF NOT EXISTS notification_prefs (
    candidate_id      bigint PRIMARY KEY REFERENCES candidates(id) ON DELETE CASCADE,
    channels          text[] NOT NULL DEFAULT '{whatsapp,email}',
    language          text NOT NULL DEFAULT 'en',
    timezone          text NOT NULL DEFAULT 'Asia/Kolkata',
    quiet_start       time NOT NULL DEFAULT '21:00',
    quiet_end         time NOT NULL DEFAULT '08:00',
    opted_out         text[] NOT NULL DEFAULT '{}',     -- channels the candidate stopped ('whatsapp', 'email')
    opted_out_at      timestamptz,
    candidate_decides boolean NOT NULL DEFAULT false,   -- YES/NO replies may approve or reject
    wa_checked_at     timestamptz,                      -- the number was found on WhatsApp
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Inbound replies from candidates (WhatsApp webhooks). The body is encrypted; provider_msg_id dedupes
-- a provider's redelivery.
CREATE TABLE IF NOT EXISTS inbound_messages (
    id                bigserial PRIMARY KEY,
    provider          text NOT NULL,
    provider_msg_id   text NOT NULL,
    from_hash         bytea NOT NULL,
    body_enc          bytea,
    candidate_id      bigint REFERENCES candidates(id),
    notification_id   bigint REFERENCES notifications(id),
    kind              text NOT NULL DEFAULT 'unrecognised',  -- answer | stop | approve | reject | unrecognised
    outcome           text,
    received_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, provider_msg_id)
);
CREATE INDEX IF NOT EXISTS inbound_candidate_idx ON inbound_messages (candidate_id, id) WHERE candidate_id IS NOT NULL;

ALTER TABLE notification_prefs ENABLE ROW LEVEL SECURITY;
ALTER TABLE inbound_messages   ENABLE ROW LEVEL SECURITY;
