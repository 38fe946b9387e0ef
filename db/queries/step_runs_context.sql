-- What runs $2 of runbook $1 need to be carried out: their step, attempt, key, and the facts placeholders are
-- filled from (asset, application, wave, engagement).
SELECT r.id, r.step_id, r.workload_key, r.attempts, r.idempotency_key, r.ready_at, r.application_name,
       a.id AS asset_id, a.name AS asset_name, a.hostname, a.ip_address, a.fqdn, a.operating_system,
       a.environment, a.target_platform, a.target_region,
       w.wave_number, w.name AS wave_name, w.planned_start, w.planned_end, e.name AS engagement_name,
       e.id AS engagement_id
  FROM migration.step_runs r
  JOIN migration.wave_runbooks b ON b.id = r.runbook_id
  JOIN migration.migration_waves w ON w.wave_number = b.wave_number
  JOIN migration.engagements e ON e.id = r.engagement_id
  LEFT JOIN migration.assets a ON a.id = r.asset_id
 WHERE r.runbook_id = $1 AND r.id = ANY($2::uuid[])
