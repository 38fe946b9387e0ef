-- The runs of runbook $1 a person's action may concern (those of step $2, or all when $2 is NULL), locked until
-- the action is written, with what a selection matches on (asset name and facts, application).
SELECT r.id, r.status, r.workload_key, r.application_name, r.approvals, r.attempts, r.generation, r.idempotency_key,
       s.step_key, s.step_type, s.scope, s.direction, s.spec,
       a.name AS asset_name, a.hostname, a.environment, a.os_family, a.business_criticality AS criticality,
       a.application_name AS application
  FROM migration.step_runs r
  JOIN migration.runbook_steps s ON s.id = r.step_id
  LEFT JOIN migration.assets a ON a.id = r.asset_id
 WHERE r.runbook_id = $1 AND ($2::text IS NULL OR s.step_key = $2)
   FOR UPDATE OF r
