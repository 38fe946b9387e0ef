SELECT wave_number, status, asset_count, total_storage_gb, planned_start, planned_end,
       estimated_effort_days, estimated_cost
FROM migration.migration_waves
ORDER BY wave_number
