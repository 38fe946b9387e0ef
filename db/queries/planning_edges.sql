-- Hard dependencies: their two ends must move together.
SELECT source_asset_id, target_asset_id FROM migration.asset_dependencies WHERE strength = 'hard'
