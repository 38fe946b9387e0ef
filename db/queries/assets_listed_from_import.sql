-- Assets named in the list cells of an inventory file's rows (a portfolio's `hosts` and `dbs`: bundle_report
-- listed_assets, {asset type: [names]}), so the links to them have both ends. A name that already exists (by
-- name, any type) is left as it is. $1 import, $2 client, $3 engagement, $4 master flow, $5 discovery flow.
INSERT INTO migration.assets (client_account_id, engagement_id, natural_key, name, asset_type,
                              data_import_id, master_flow_id, discovery_flow_id, discovered_at, field_lineage)
SELECT DISTINCT ON (migration.asset_name_key(n.name))
       $2, $3, 'name:' || migration.asset_name_key(n.name), btrim(n.name), l.asset_type, $1, $4, $5, now(),
       jsonb_build_object('name', jsonb_build_object('data_import_id', $1::uuid, 'source', 'asset list'))
FROM migration.data_imports d
CROSS JOIN LATERAL jsonb_each(coalesce(d.bundle_report -> 'listed_assets', '{}'::jsonb)) AS l(asset_type, names)
CROSS JOIN LATERAL jsonb_array_elements_text(l.names) AS n(name)
WHERE d.id = $1 AND btrim(n.name) <> ''
  AND NOT EXISTS (SELECT FROM migration.assets a
                  WHERE migration.asset_name_key(a.name) = migration.asset_name_key(n.name))
ORDER BY migration.asset_name_key(n.name)
ON CONFLICT DO NOTHING
