-- Outcomes, mailbox messages, follow-ups and calibrations (issue 13). Safe to run twice.

-- Outcomes: an operator's record counts at once; one read from a mailbox waits ('pending') for an
-- operator's confirmation before calibration or follow-ups count it.
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'confirmed';
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS note_enc bytea;           -- the operator's note, AES-GCM
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS created_by text;
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS confirmed_by text;
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS confirmed_at timestamptz;
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS mail_message_id bigint;
DO $$ BEGIN
    ALTER TABLE outcomes ADD CONSTRAINT outcomes_status_check
        CHECK (status IN ('pending', 'confirmed', 'dismissed'));
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
    ALTER TABLE outcomes ADD CONSTRAINT outcomes_kind_check CHECK (kind IN (
        'no_response', 'rejected', 'interview', 'offer', 'withdrawn', 'assessment', 'acknowledged')) NOT VALID;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE INDEX IF NOT EXISTS outcomes_application_idx ON outcomes (application_id, id);
CREATE INDEX IF NOT EXISTS outcomes_pending_idx ON outcomes (id) WHERE status = 'pending';

-- Messages read from a mailbox (candidate's or shared), with how they were linked and classified.
-- Subject and excerpt are candidates' personal data: AES-GCM ciphertext. The sender is the employer's.
CREATE TABLE IF NOT EXISTS mail_messages (
    id              bigserial PRIMARY KEY,
    mailbox         text NOT NULL,
    uidvalidity     bigint NOT NULL,
    uid             bigint NOT NULL,
    message_id      text,
    sender          text NOT NULL DEFAULT '',
    sender_domain   text NOT NULL DEFAULT '',
    reply_to        text,                        -- a person behind an ATS's no-reply sender
    subject_enc     bytea,
    excerpt_enc     bytea,
    received_at     timestamptz,
    candidate_id    bigint REFERENCES candidates(id),
    application_id  bigint REFERENCES applications(id),
    link_confidence real,
    link_reasons    jsonb,
    classification  text CHECK (classification IN (
                        'rejection', 'interview', 'assessment', 'offer', 'confirmation', 'other')),
    class_confidence real,
    class_reasons   jsonb,
    calendar        jsonb,                       -- interview invitation: start, end, location from the .ics
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN (
                        'pending', 'unlinked', 'confirmed', 'dismissed', 'ignored', 'skipped')),
    decided_by      text,
    decided_at      timestamptz,
    outcome_id      bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (mailbox, uidvalidity, uid)
);
CREATE INDEX IF NOT EXISTS mail_messages_pending_idx ON mail_messages (id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS mail_messages_application_idx ON mail_messages (application_id, id)
    WHERE application_id IS NOT NULL;

-- Where each mailbox was read up to.
CREATE TABLE IF NOT EXISTS mail_sync (
    mailbox         text PRIMARY KEY,
    uidvalidity     bigint NOT NULL,
    last_uid        bigint NOT NULL DEFAULT 0,
    synced_at       timestamptz NOT NULL DEFAULT now()
);

-- Follow-ups: at most one per application per period (seq = business days since submission // N).
CREATE TABLE IF NOT EXISTS followups (
    id              bigserial PRIMARY KEY,
    application_id  bigint NOT NULL REFERENCES applications(id),
    candidate_id    bigint NOT NULL REFERENCES candidates(id),
    seq             integer NOT NULL CHECK (seq >= 1),   -- the period: business days since submission // N
    kind            text NOT NULL CHECK (kind IN ('recruiter', 'candidate_reminder')),
    recipient_enc   bytea,
    subject         text NOT NULL,
    body_enc        bytea NOT NULL,
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN (
                        'draft', 'awaiting_approval', 'ready', 'sent', 'cancelled')),
    task_id         bigint,
    notification_id bigint,
    reason          text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (application_id, seq)
);
CREATE INDEX IF NOT EXISTS followups_status_idx ON followups (status, id);

-- Calibrations: every version fitted, shipped or rejected; at most one is active.
CREATE TABLE IF NOT EXISTS calibrations (
    version         integer PRIMARY KEY,
    status          text NOT NULL CHECK (status IN ('shipped', 'rejected', 'rolled_back')),
    active          boolean NOT NULL DEFAULT false,
    path            text NOT NULL,
    sha256          text NOT NULL,
    n_outcomes      integer NOT NULL,
    n_holdout       integer NOT NULL,
    auc             real,
    brier           real,
    auc_current     real,
    brier_current   real,
    p_value         double precision,
    test            text,
    reason          text NOT NULL,
    against         integer,
    figures         jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    activated_at    timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS calibrations_one_active ON calibrations ((true)) WHERE active;

ALTER TABLE mail_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail_sync     ENABLE ROW LEVEL SECURITY;
ALTER TABLE followups     ENABLE ROW LEVEL SECURITY;
ALTER TABLE calibrations  ENABLE ROW LEVEL SECURITY;
