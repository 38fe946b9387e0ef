UPDATE migration.migration_waves
SET status = 'in_progress', started_at = coalesce(started_at, now())
WHERE wave_number = $1 AND status <> 'completed'
