-- The compensations of runbook $1: one run of a step's rollback per workload whose forward run completed or was
-- in progress when the wave was aborted (it may have acted).
INSERT INTO migration.step_runs (client_account_id, engagement_id, runbook_id, step_id, workload_key, asset_id,
                                 application_name, idempotency_key)
SELECT r.client_account_id, r.engagement_id, r.runbook_id, rb.id, r.workload_key, r.asset_id, r.application_name,
       r.idempotency_key || '/rollback'
  FROM migration.step_runs r
  JOIN migration.runbook_steps f ON f.id = r.step_id AND f.direction = 'forward'
  JOIN migration.runbook_steps rb ON rb.runbook_id = f.runbook_id AND rb.strategy = f.strategy
                                 AND rb.step_key = f.step_key AND rb.direction = 'rollback'
 WHERE r.runbook_id = $1 AND r.status IN ('completed', 'in_progress')
ON CONFLICT (step_id, workload_key) DO NOTHING
