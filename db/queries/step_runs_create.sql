-- One run per forward step and workload of wave $2's assets that have a strategy and are not migrated yet:
-- the wave once, each application (an asset without one stands alone), each asset. $1 runbook, $3 the
-- idempotency key's prefix (engagement/wave-N.run-R). Idempotent (a retried opening adds nothing).
WITH wave_assets AS (
    SELECT a.id, a.six_r_strategy AS strategy,
           CASE WHEN btrim(coalesce(a.application_name, '')) = '' THEN 'asset:' || a.id
                ELSE btrim(a.application_name) END AS app_key
      FROM migration.assets a
     WHERE a.wave_number = $2 AND a.six_r_strategy IS NOT NULL AND a.migration_status <> 'migrated'
), steps AS (
    SELECT id, strategy, step_key, scope FROM migration.runbook_steps WHERE runbook_id = $1 AND direction = 'forward'
), workloads AS (
    SELECT DISTINCT s.id AS step_id, s.strategy, s.step_key, 'wave' AS workload_key, NULL::uuid AS asset_id,
           NULL::text AS app_key, 'wave' AS key_part
      FROM steps s JOIN wave_assets w ON w.strategy = s.strategy WHERE s.scope = 'wave'
    UNION ALL
    SELECT DISTINCT s.id, s.strategy, s.step_key, w.app_key, NULL::uuid, w.app_key, 'app-' || left(md5(w.app_key), 20)
      FROM steps s JOIN wave_assets w ON w.strategy = s.strategy WHERE s.scope = 'application'
    UNION ALL
    SELECT s.id, s.strategy, s.step_key, w.id::text, w.id, w.app_key, w.id::text
      FROM steps s JOIN wave_assets w ON w.strategy = s.strategy WHERE s.scope = 'asset'
)
INSERT INTO migration.step_runs (client_account_id, engagement_id, runbook_id, step_id, workload_key, asset_id,
                                 application_name, idempotency_key)
SELECT migration.current_client_id(), migration.current_engagement_id(), $1, step_id, workload_key, asset_id,
       app_key, $3 || '/' || strategy || '.' || step_key || '/' || key_part || '/1'
  FROM workloads
ON CONFLICT (step_id, workload_key) DO NOTHING
