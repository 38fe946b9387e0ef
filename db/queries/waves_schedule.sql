-- Dates every wave from the plan's start: waves follow each other, each $2 days long.
UPDATE migration.migration_waves
SET planned_start = $1::date + (wave_number - 1) * $2::integer,
    planned_end = $1::date + wave_number * $2::integer - 1,
    status = CASE WHEN status = 'planned' THEN 'scheduled' ELSE status END
RETURNING wave_number, planned_start, planned_end
