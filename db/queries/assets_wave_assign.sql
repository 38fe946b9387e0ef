-- Every asset's wave number from the new plan (NULL for assets not in it). $1 planning flow.
UPDATE migration.assets a
SET wave_number = s.wave_number,
    planning_flow_id = CASE WHEN s.wave_number IS NULL THEN a.planning_flow_id ELSE $1 END,
    migration_status = CASE WHEN s.wave_number IS NOT NULL AND a.migration_status IN ('not_started', 'assessed')
                            THEN 'planned' ELSE a.migration_status END
FROM (
    SELECT a2.id, st.wave_number
    FROM migration.assets a2 LEFT JOIN staging_wave_assets st ON st.asset_id = a2.id
) s
WHERE a.id = s.id AND (a.wave_number IS DISTINCT FROM s.wave_number OR s.wave_number IS NOT NULL)
