-- Every wave of the plan with its kind, dates, size, effort and labour cost, and its move groups.
SELECT w.wave_number, w.name, w.kind, w.status, w.planned_start, w.planned_end, w.asset_count,
       w.total_storage_gb, w.estimated_effort_days, w.estimated_cost, w.undecided_assets,
       (SELECT count(DISTINCT wa.move_group) FROM migration.migration_wave_assets wa WHERE wa.wave_id = w.id)
           AS move_groups
FROM migration.migration_waves w
ORDER BY w.wave_number
