-- Discovery and scoring (0030-0039).
-- Closing the jobs a source no longer lists filters open jobs by canonical-key prefix
-- (canonical_key LIKE 'greenhouse:acme:%'); the unique index on canonical_key cannot serve LIKE under a
-- non-C collation, so this one uses text_pattern_ops.
CREATE INDEX IF NOT EXISTS jobs_open_key_prefix_idx ON jobs (canonical_key text_pattern_ops) WHERE status = 'open';
-- Active candidates are paged by id when a new job is scored against them.
CREATE INDEX IF NOT EXISTS candidates_active_idx ON candidates (id) WHERE status = 'active';
