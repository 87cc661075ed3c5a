-- Notifications (issue 12): a row for a channel that is not configured is 'skipped' with the missing setting
-- named (and, when the candidate has another configured channel, which notification went there instead),
-- never a task that fails again and again. Safe to run twice.
ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check CHECK (status IN (
    'pending', 'sending', 'sent', 'failed', 'unknown', 'suppressed',
    'skipped'      -- not sent: its channel is not configured here (error names the setting, and any fallback)
));
