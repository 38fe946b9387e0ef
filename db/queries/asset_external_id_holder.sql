-- The other asset of the engagement that holds external id $2 (JSON text), in its column or as an id it
-- was known by before a merge (asset_external_ids), if any; asset $1 excluded.
SELECT a.id, a.name FROM migration.assets a
WHERE a.id <> $1
  AND (md5(a.external_id) = md5($2::jsonb #>> '{}') AND a.external_id = $2::jsonb #>> '{}'
       OR a.id IN (SELECT x.asset_id FROM migration.asset_external_ids x
                   WHERE md5(x.external_id) = md5($2::jsonb #>> '{}')
                     AND x.external_id = $2::jsonb #>> '{}'))
LIMIT 1
