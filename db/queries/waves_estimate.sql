-- Effort (person-days per strategy, $1) and labour cost ($2 per person-day) of every wave.
UPDATE migration.migration_waves w
SET estimated_effort_days = t.effort, estimated_cost = round(t.effort * $2::numeric, 2)
FROM (
    SELECT wa.wave_id,
           sum(coalesce(($1::jsonb ->> coalesce(a.six_r_strategy, 'undecided'))::numeric, 0)) AS effort
    FROM migration.migration_wave_assets wa JOIN migration.assets a ON a.id = wa.asset_id
    GROUP BY wa.wave_id
) t
WHERE w.id = t.wave_id
RETURNING w.wave_number, w.estimated_effort_days, w.estimated_cost
