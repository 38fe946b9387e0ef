-- The strategies of the planned assets still to migrate: each needs a runbook template.
SELECT DISTINCT six_r_strategy AS strategy FROM migration.assets
 WHERE wave_number IS NOT NULL AND six_r_strategy IS NOT NULL AND migration_status <> 'migrated'
 ORDER BY 1
