-- Follow-ups (issue 13): an approved follow-up goes out through the notifications outbox. A note to a
-- recruiter is an outbox row addressed to the employer (audience 'employer', the address encrypted in
-- recipient_enc, sent by email from the candidate's sender identity); a reminder is an ordinary row to the
-- candidate. The follow-up is 'queued' while its row waits, 'sent' in the transaction that records the
-- provider's acceptance. Safe to run twice.
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS audience      text NOT NULL DEFAULT 'candidate';
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS recipient_enc bytea;      -- an employer's address (encrypted)
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS followup_id   bigint;
ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_audience_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_audience_check CHECK (audience IN ('candidate', 'employer'));

ALTER TABLE followups DROP CONSTRAINT IF EXISTS followups_status_check;
ALTER TABLE followups ADD CONSTRAINT followups_status_check CHECK (status IN (
    'draft', 'awaiting_approval', 'ready',
    'queued',      -- handed to the notifications outbox (notification_id), not yet accepted by the provider
    'sent', 'cancelled'));
