-- The current plan's first day, its planning flow, and whether any wave's execution has begun.
SELECT min(planned_start) AS first_start,
       (array_agg(planning_flow_id ORDER BY wave_number))[1] AS planning_flow_id,
       count(*) FILTER (WHERE status IN ('in_progress', 'completed', 'failed')) AS waves_started
FROM migration.migration_waves
