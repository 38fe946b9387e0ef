-- How the plan treats the dependencies: hard dependencies whose two ends were planned into
-- different waves (between move groups: a correct plan has none; on shared services: reached across
-- the network meanwhile), and dependencies whose target migrates in a later wave than the asset that
-- depends on it (ordering broken; the planner reports each in plan_violations).
SELECT count(*) FILTER (WHERE d.strength = 'hard' AND s.wave_number <> t.wave_number
                          AND t.move_group NOT LIKE 'SHARED-%' AND s.move_group NOT LIKE 'SHARED-%') AS split,
       count(*) FILTER (WHERE d.strength = 'hard' AND s.wave_number <> t.wave_number
                          AND (t.move_group LIKE 'SHARED-%' OR s.move_group LIKE 'SHARED-%')) AS on_shared_services,
       count(*) FILTER (WHERE s.wave_number < t.wave_number
                          AND t.move_group NOT LIKE 'SHARED-%' AND s.move_group NOT LIKE 'SHARED-%') AS order_broken
FROM migration.asset_dependencies d
JOIN migration.assets s ON s.id = d.source_asset_id
JOIN migration.assets t ON t.id = d.target_asset_id
WHERE s.wave_number IS NOT NULL AND t.wave_number IS NOT NULL
