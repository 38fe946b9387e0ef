-- The waves still to execute (every wave when $1), in order: their planned start, and the earlier waves holding what
-- their assets depend on (a wave starts after those; shared services are reached across the network meanwhile, as
-- planned).
SELECT w.wave_number, w.planned_start,
       coalesce((SELECT array_agg(DISTINCT t.wave_number ORDER BY t.wave_number)
                   FROM migration.assets s
                   JOIN migration.asset_dependencies d ON d.source_asset_id = s.id
                   JOIN migration.assets t ON t.id = d.target_asset_id
                  WHERE s.wave_number = w.wave_number AND t.wave_number < w.wave_number
                    AND coalesce(t.move_group, '') NOT LIKE 'SHARED-%'
                    AND coalesce(s.move_group, '') NOT LIKE 'SHARED-%'), '{}') AS depends_on
  FROM migration.migration_waves w
 WHERE $1 OR w.status <> 'completed'
 ORDER BY w.wave_number
