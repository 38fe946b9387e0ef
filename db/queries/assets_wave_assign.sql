-- Every asset's wave, move group and reason from the new plan in staging_wave_assets (all NULL for an
-- asset not in it). $1 planning flow (NULL: keep the asset's). Planned assets become 'planned'; an asset
-- that leaves the plan before its migration started goes back to 'assessed'.
UPDATE migration.assets a
SET wave_number = s.wave_number,
    move_group = s.move_group,
    wave_reason = s.placement_reason,
    planning_flow_id = CASE WHEN s.wave_number IS NULL THEN a.planning_flow_id
                            ELSE coalesce($1, a.planning_flow_id) END,
    migration_status = CASE
        WHEN s.wave_number IS NOT NULL AND a.migration_status IN ('not_started', 'assessed') THEN 'planned'
        WHEN s.wave_number IS NULL AND a.migration_status = 'planned' THEN 'assessed'
        ELSE a.migration_status END
FROM (
    SELECT a2.id, st.wave_number, st.move_group, st.placement_reason
    FROM migration.assets a2 LEFT JOIN staging_wave_assets st ON st.asset_id = a2.id
) s
WHERE a.id = s.id
  AND (a.wave_number, a.move_group, a.wave_reason) IS DISTINCT FROM (s.wave_number, s.move_group, s.placement_reason)
