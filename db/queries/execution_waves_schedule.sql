-- The waves still to execute (every wave when $1), in order: their planned start, and the earlier waves holding what
-- their assets depend on (a wave starts after those: after the foundation wave when it holds their shared services;
-- a shared service planned in a later wave, with shared_services = with_dependents, is reached across the network
-- meanwhile, as the plan records). One pass over the dependencies (per wave, a scan of the assets took minutes at
-- 100,000 assets).
WITH earlier AS (
    SELECT s.wave_number, array_agg(DISTINCT t.wave_number ORDER BY t.wave_number) AS depends_on
      FROM migration.asset_dependencies d
      JOIN migration.assets s ON s.id = d.source_asset_id
      JOIN migration.assets t ON t.id = d.target_asset_id
     WHERE t.wave_number < s.wave_number
     GROUP BY s.wave_number
)
SELECT w.wave_number, w.planned_start, coalesce(e.depends_on, '{}') AS depends_on
  FROM migration.migration_waves w
  LEFT JOIN earlier e ON e.wave_number = w.wave_number
 WHERE $1 OR w.status <> 'completed'
 ORDER BY w.wave_number
