-- Every dependency (source depends on target) with its type and strength, in a fixed order.
SELECT source_asset_id, target_asset_id, dependency_type, strength
FROM migration.asset_dependencies
ORDER BY source_asset_id, target_asset_id, dependency_type, port NULLS FIRST
