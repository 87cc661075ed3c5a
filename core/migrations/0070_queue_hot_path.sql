-- Queue hot path: every claim writes each claimed row into every index whose predicate it matches, so an
-- index that another one already serves is pure cost. Counting an agent's running tasks (the capped claim)
-- reads tasks_status_idx (status, agent, id) just as well as this one did.
DROP INDEX IF EXISTS tasks_running_idx;
