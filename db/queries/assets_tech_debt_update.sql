UPDATE migration.assets a
SET tech_debt_flags = s.v -> 'tech_debt_flags'
FROM staging_asset_values s WHERE a.id = s.asset_id
