-- Dry-run executor: marks the next batch of a wave's assets migrated. $1 wave, $2 execution flow.
UPDATE migration.assets
SET migration_status = 'migrated', execution_flow_id = $2
WHERE id IN (
    SELECT id FROM migration.assets
    WHERE wave_number = $1 AND migration_status <> 'migrated'
    ORDER BY id
    LIMIT $3
)
