-- The assets that move (retired and retained ones stay), with what wave planning needs.
SELECT id, move_group, environment, coalesce(storage_gb, 0) AS storage_gb, six_r_strategy, business_criticality
FROM migration.assets
WHERE six_r_strategy IS NULL OR six_r_strategy NOT IN ('retire', 'retain')
ORDER BY id
