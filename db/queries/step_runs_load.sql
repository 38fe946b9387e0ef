-- The runs of runbook $1 as the scheduler reads them (thousands per wave: a few columns each).
SELECT id, step_id, workload_key, application_name, status, next_attempt_at FROM migration.step_runs
 WHERE runbook_id = $1
