-- One row per asset for the plan review: the asset, its move group and wave, and why it is there.
SELECT a.id, a.name, a.application_name, a.environment, a.business_criticality, a.six_r_strategy,
       a.move_group, a.wave_number, w.kind, w.planned_start, w.planned_end, a.wave_reason
FROM migration.assets a LEFT JOIN migration.migration_waves w ON w.wave_number = a.wave_number
ORDER BY a.wave_number NULLS LAST, a.move_group, a.name, a.id
