-- Hard dependencies whose two ends were planned into different waves: those between move groups
-- (a correct plan has none) and those on shared services (reached across the network meanwhile).
SELECT count(*) FILTER (WHERE t.move_group NOT LIKE 'SHARED-%' AND s.move_group NOT LIKE 'SHARED-%') AS split,
       count(*) FILTER (WHERE t.move_group LIKE 'SHARED-%' OR s.move_group LIKE 'SHARED-%') AS on_shared_services
FROM migration.asset_dependencies d
JOIN migration.assets s ON s.id = d.source_asset_id
JOIN migration.assets t ON t.id = d.target_asset_id
WHERE d.strength = 'hard' AND s.wave_number IS NOT NULL AND t.wave_number IS NOT NULL
  AND s.wave_number <> t.wave_number
