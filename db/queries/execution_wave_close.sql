-- Wave $1 ends in status $2 (completed, rolled_back or cancelled) or, $2 = 'in_progress', starts.
UPDATE migration.migration_waves
   SET status = $2,
       started_at = coalesce(started_at, now()),
       completed_at = CASE WHEN $2 = 'completed' THEN now() END
 WHERE wave_number = $1
