-- How the plan treats the dependencies: hard dependencies whose two ends were planned into different
-- waves (between move groups: only ties parted between production and non-production, each an
-- environment_split violation), dependencies whose target migrates in a later wave than the asset that
-- depends on it (ordering broken; each in plan_violations), dependencies on shared services that move
-- after their dependent (none with the foundation wave; each a shared_service_order violation
-- otherwise), and the waves that hold production and non-production assets both (a correct plan has
-- none; the foundation wave, 0, may).
SELECT count(*) FILTER (WHERE d.strength = 'hard' AND s.wave_number <> t.wave_number
                          AND t.move_group NOT LIKE 'SHARED-%' AND s.move_group NOT LIKE 'SHARED-%') AS split,
       count(*) FILTER (WHERE s.wave_number < t.wave_number
                          AND t.move_group NOT LIKE 'SHARED-%' AND s.move_group NOT LIKE 'SHARED-%') AS order_broken,
       count(*) FILTER (WHERE s.wave_number < t.wave_number AND t.move_group LIKE 'SHARED-%') AS shared_service_later,
       (SELECT count(*) FROM (
            SELECT a.wave_number
            FROM migration.assets a
            WHERE a.wave_number > 0
            GROUP BY a.wave_number
            HAVING count(DISTINCT coalesce(a.environment, '') IN ('development', 'test', 'uat', 'staging')) > 1
        ) mixed) AS mixed_waves
FROM migration.asset_dependencies d
JOIN migration.assets s ON s.id = d.source_asset_id
JOIN migration.assets t ON t.id = d.target_asset_id
WHERE s.wave_number IS NOT NULL AND t.wave_number IS NOT NULL
