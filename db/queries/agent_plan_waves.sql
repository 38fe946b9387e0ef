-- The wave plan as the plan critic reviews it: each wave's kind, dates, size, effort, and its critical and
-- high-risk assets (counts and the first ten names of each).
SELECT w.wave_number, w.kind, w.planned_start, w.planned_end, w.asset_count, w.total_storage_gb,
       w.estimated_effort_days, w.undecided_assets,
       count(*) FILTER (WHERE a.business_criticality = 'critical') AS critical_assets,
       count(*) FILTER (WHERE a.risk_level = 'high') AS high_risk_assets,
       (array_agg(a.name ORDER BY a.name COLLATE "C") FILTER (WHERE a.business_criticality = 'critical'))[1:10]
           AS critical_names,
       (array_agg(a.name ORDER BY a.risk_score DESC NULLS LAST, a.name COLLATE "C")
           FILTER (WHERE a.risk_level = 'high'))[1:10] AS high_risk_names,
       count(DISTINCT a.application_name) AS applications
FROM migration.migration_waves w
LEFT JOIN migration.migration_wave_assets wa ON wa.wave_id = w.id
LEFT JOIN migration.assets a ON a.id = wa.asset_id
GROUP BY w.id
ORDER BY w.wave_number
