-- What a wave runbook holds: its steps and runs, its assets and applications, and the wave's assets left out
-- because no strategy is decided for them ($1 runbook, $2 wave).
SELECT (SELECT count(*) FROM migration.runbook_steps WHERE runbook_id = $1) AS steps,
       (SELECT count(*) FROM migration.step_runs WHERE runbook_id = $1) AS runs,
       (SELECT count(DISTINCT asset_id) FROM migration.step_runs WHERE runbook_id = $1) AS assets,
       (SELECT count(DISTINCT application_name) FROM migration.step_runs WHERE runbook_id = $1) AS applications,
       (SELECT count(*) FROM migration.assets
         WHERE wave_number = $2 AND six_r_strategy IS NULL AND migration_status <> 'migrated') AS without_strategy
