SELECT count(*) AS waves, coalesce(sum(asset_count), 0) AS assets,
       count(*) FILTER (WHERE status = 'completed') AS completed
FROM migration.migration_waves
