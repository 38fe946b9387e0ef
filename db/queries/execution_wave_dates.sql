-- Wave $1's planned dates (its cutover window opens on the planned end date).
SELECT planned_start, planned_end FROM migration.migration_waves WHERE wave_number = $1
