-- The step runs of runbook $1 a person's action may concern: those of step key $2 (NULL: every step), with
-- their step's type, scope and direction (their assets' facts: execution_status_asset_facts).
SELECT r.id, r.status, r.workload_key, r.application_name, r.asset_id, s.step_key, s.strategy, s.scope,
       s.direction, s.step_type, s.spec
  FROM migration.step_runs r
  JOIN migration.runbook_steps s ON s.id = r.step_id
 WHERE r.runbook_id = $1 AND ($2::text IS NULL OR s.step_key = $2)
