-- The runs of runbook $1 a person's action may concern (those of step $2, or all when $2 is NULL), locked until
-- the action is written. What a selection matches on (asset names and facts) is read apart, by id
-- (execution_status_asset_facts): joined here, row-level security hid the row counts from the planner, which
-- scanned the engagement's assets for each run.
SELECT r.id, r.status, r.workload_key, r.application_name, r.approvals, r.attempts, r.generation, r.idempotency_key,
       r.asset_id, s.step_key, s.step_type, s.scope, s.direction, s.spec
  FROM migration.step_runs r
  JOIN migration.runbook_steps s ON s.id = r.step_id
 WHERE r.runbook_id = $1 AND ($2::text IS NULL OR s.step_key = $2)
   FOR UPDATE OF r
