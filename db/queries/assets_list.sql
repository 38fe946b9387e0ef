-- The inventory as a person checks it: one row per asset, by name, with the applications it belongs to
-- (its application name; the application assets that run on it or that it hosts; an application asset
-- is its own), gathered set-based for the whole engagement. Each filter is NULL for "any": $1 wave
-- number, $2 strategy (canonical), $3 true: only assets without a strategy, $4 environment (canonical),
-- $5 application name (ignoring case and surrounding spaces).
WITH memberships AS (
    SELECT id AS asset_id, application_name AS application FROM migration.assets
    UNION ALL
    SELECT id, name FROM migration.assets WHERE asset_type = 'application'
    UNION ALL
    SELECT d.target_asset_id, app.name
    FROM migration.asset_dependencies d JOIN migration.assets app ON app.id = d.source_asset_id
    WHERE d.dependency_type = 'runs_on' AND app.asset_type = 'application'
    UNION ALL
    SELECT d.source_asset_id, app.name
    FROM migration.asset_dependencies d JOIN migration.assets app ON app.id = d.target_asset_id
    WHERE d.dependency_type = 'hosts' AND app.asset_type = 'application'
), applications AS (
    SELECT asset_id, array_agg(DISTINCT btrim(application) ORDER BY btrim(application)) AS names
    FROM memberships
    WHERE btrim(application) <> ''
    GROUP BY asset_id
)
SELECT a.id, a.name, a.asset_type, a.environment, a.operating_system, a.os_family,
       coalesce(m.names, '{}') AS applications, a.cpu_cores, a.memory_gb::float8 AS memory_gb,
       a.storage_gb::float8 AS storage_gb, a.six_r_strategy, a.strategy_source, a.wave_number, a.migration_status
FROM migration.assets a
LEFT JOIN applications m ON m.asset_id = a.id
WHERE ($1::integer IS NULL OR a.wave_number = $1)
  AND ($2::text IS NULL OR a.six_r_strategy = $2)
  AND (NOT $3::boolean OR a.six_r_strategy IS NULL)
  AND ($4::text IS NULL OR a.environment = $4)
  AND ($5::text IS NULL OR EXISTS (SELECT FROM unnest(m.names) AS name WHERE lower(name) = lower(btrim($5))))
ORDER BY a.name, a.id
