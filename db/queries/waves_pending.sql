SELECT wave_number, asset_count FROM migration.migration_waves WHERE status <> 'completed' ORDER BY wave_number
