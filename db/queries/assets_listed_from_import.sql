-- Assets named in the list cells of an inventory file's rows (a portfolio's `hosts` and `dbs`: bundle_report
-- listed_assets, {asset type: [names]}), so the links to them have both ends. A name an asset of the engagement
-- already answers to is left as it is: its name, or for a host-shaped name its host key against the asset's
-- host key or its name's (as the merge matches: `web01` is the asset named `web01.corp.local` or with hostname
-- `web01`). A name listed under several types becomes one asset, a server before any other type.
-- $1 import, $2 client, $3 engagement, $4 master flow, $5 discovery flow.
INSERT INTO migration.assets (client_account_id, engagement_id, natural_key, name, asset_type,
                              data_import_id, master_flow_id, discovery_flow_id, discovered_at, field_lineage)
SELECT DISTINCT ON (migration.asset_name_key(n.name))
       $2, $3, 'name:' || migration.asset_name_key(n.name), btrim(n.name), l.asset_type, $1, $4, $5, now(),
       jsonb_build_object('name', jsonb_build_object('data_import_id', $1::uuid, 'source', 'asset list'))
FROM migration.data_imports d
CROSS JOIN LATERAL jsonb_each(coalesce(d.bundle_report -> 'listed_assets', '{}'::jsonb)) AS l(asset_type, names)
CROSS JOIN LATERAL jsonb_array_elements_text(l.names) AS n(name)
CROSS JOIN LATERAL (SELECT CASE WHEN btrim(n.name) ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$'
                                THEN migration.asset_host_key(n.name, NULL) END AS host) h
WHERE d.id = $1 AND btrim(n.name) <> ''
  AND NOT EXISTS (SELECT FROM migration.assets a
                  WHERE a.engagement_id = $3
                    AND (migration.asset_name_key(a.name) = migration.asset_name_key(n.name)
                         OR h.host IN (migration.asset_host_key(a.hostname, a.fqdn),
                                       CASE WHEN btrim(a.name) ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$'
                                            THEN migration.asset_host_key(a.name, NULL) END)))
ORDER BY migration.asset_name_key(n.name), l.asset_type <> 'server', l.asset_type
ON CONFLICT DO NOTHING
