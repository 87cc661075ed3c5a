-- Console overview: the failure-rate sparkline per agent reads tasks that ended badly in the last half hour.
CREATE INDEX IF NOT EXISTS tasks_failed_finished_idx ON tasks (finished_at) WHERE status IN ('failed', 'dead');
