-- Wave memberships of the staged plan (assets without a wave have none). $1 client, $2 engagement.
INSERT INTO migration.migration_wave_assets
    (client_account_id, engagement_id, wave_id, asset_id, move_group, placement_reason)
SELECT $1, $2, w.id, s.asset_id, s.move_group, s.placement_reason
FROM staging_wave_assets s JOIN migration.migration_waves w ON w.wave_number = s.wave_number
