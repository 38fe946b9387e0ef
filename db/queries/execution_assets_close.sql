-- The assets of runbook $1 once it ends ($2 execution flow): a completed wave migrated those a person did not
-- abandon (those are skipped); a rolled-back wave rolled back all of them. $3 = 'completed' or 'rolled_back'.
WITH per_asset AS (
    SELECT asset_id, bool_or(status = 'abandoned') AS abandoned
      FROM migration.step_runs WHERE runbook_id = $1 AND asset_id IS NOT NULL GROUP BY asset_id
)
UPDATE migration.assets a
   SET migration_status = CASE WHEN $3 = 'rolled_back' THEN 'rolled_back'
                               WHEN p.abandoned THEN 'skipped' ELSE 'migrated' END,
       execution_flow_id = $2
  FROM per_asset p
 WHERE a.id = p.asset_id
RETURNING a.migration_status
