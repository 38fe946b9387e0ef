UPDATE migration.migration_waves w
SET status = 'completed', completed_at = now()
WHERE w.wave_number = $1
RETURNING (SELECT count(*) FROM migration.assets a WHERE a.wave_number = $1 AND a.migration_status = 'migrated')
