-- Dependencies between different move groups: per (source group, target group), how many asset
-- dependencies there are and whether any is hard.
SELECT s.move_group AS source, t.move_group AS target, count(*) AS dependencies,
       bool_or(d.strength = 'hard') AS hard
FROM migration.asset_dependencies d
JOIN migration.assets s ON s.id = d.source_asset_id
JOIN migration.assets t ON t.id = d.target_asset_id
WHERE s.move_group <> t.move_group
GROUP BY s.move_group, t.move_group
