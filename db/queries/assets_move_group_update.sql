-- Sets each moving asset's move group from staging; assets that stay lose any old group.
UPDATE migration.assets a
SET move_group = s.move_group
FROM (
    SELECT a2.id, st.move_group
    FROM migration.assets a2 LEFT JOIN staging_wave_assets st ON st.asset_id = a2.id
) s
WHERE a.id = s.id AND a.move_group IS DISTINCT FROM s.move_group
