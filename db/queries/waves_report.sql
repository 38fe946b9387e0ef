SELECT wave_number, name, kind, status, asset_count, total_storage_gb, planned_start, planned_end,
       estimated_effort_days, estimated_cost, undecided_assets
FROM migration.migration_waves
ORDER BY wave_number
