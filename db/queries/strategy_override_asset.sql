-- The asset a person names for a strategy override: by id ($1; NULL when the text is no id) or by
-- name, ignoring case and surrounding spaces ($2). A few rows at most, to report an ambiguous name.
SELECT id, name, asset_type, operating_system, os_version, environment, business_criticality, database_engine,
       hypervisor, is_virtual, data_classification, application_name, six_r_strategy, strategy_source
FROM migration.assets
WHERE id = $1::uuid OR ($1::uuid IS NULL AND lower(btrim(name)) = lower(btrim($2::text)))
ORDER BY id
LIMIT 5
