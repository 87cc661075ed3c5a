-- Console paging: windows of tasks newest-first under a status or site filter, without a sort.
CREATE INDEX IF NOT EXISTS tasks_status_id_idx ON tasks (status, id);
CREATE INDEX IF NOT EXISTS tasks_site_id_idx ON tasks (site, id) WHERE site IS NOT NULL;
-- Throughput sparkline: tasks finished in the last half hour.
CREATE INDEX IF NOT EXISTS tasks_finished_idx ON tasks (finished_at) WHERE status = 'succeeded';
-- Audit view filtered by action.
CREATE INDEX IF NOT EXISTS operator_actions_action_idx ON operator_actions (action, id);
