-- The waves still to execute (every wave when $1), in order: their planned start, and the earlier waves holding what
-- their assets depend on (a wave starts after those: after the foundation wave when it holds their shared services;
-- a shared service planned in a later wave, with shared_services = with_dependents, is reached across the network
-- meanwhile, as the plan records).
SELECT w.wave_number, w.planned_start,
       coalesce((SELECT array_agg(DISTINCT t.wave_number ORDER BY t.wave_number)
                   FROM migration.assets s
                   JOIN migration.asset_dependencies d ON d.source_asset_id = s.id
                   JOIN migration.assets t ON t.id = d.target_asset_id
                  WHERE s.wave_number = w.wave_number AND t.wave_number < w.wave_number), '{}') AS depends_on
  FROM migration.migration_waves w
 WHERE $1 OR w.status <> 'completed'
 ORDER BY w.wave_number
