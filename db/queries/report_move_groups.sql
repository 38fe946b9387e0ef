-- Every move group: its wave (NULL: in none), its assets and the first $1 asset names (in byte order,
-- the same on every server).
SELECT move_group, min(wave_number) AS wave, count(*) AS assets,
       (array_agg(name ORDER BY name COLLATE "C"))[1:$1] AS members
FROM migration.assets
WHERE move_group IS NOT NULL
GROUP BY move_group
