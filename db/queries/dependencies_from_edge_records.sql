-- Edges from a dependency file's records (cmdb_rel_ci, Azure Migrate dependencies, ...) and from
-- the edges an inventory file's own rows carry (Konveyor dependency records, the AWS Applications
-- column), kept in its bundle report. Each end
-- is resolved against the engagement's assets by the kind of reference it carries: 'id' (external
-- id or CMDB id, also one an asset was known by before a merge: asset_external_ids), 'name' (name, hostname, FQDN or its first label) or 'ip' (primary or any
-- address), case-insensitive. Records whose ends match no asset are returned, never dropped.
-- $1 import, $2 client, $3 engagement.
WITH recs AS (
    SELECT r.row_number, r.cleansed_data AS e
    FROM migration.raw_import_records r
    JOIN migration.data_imports d ON d.id = r.data_import_id AND d.import_role = 'dependencies'
    WHERE r.data_import_id = $1 AND r.status IN ('valid', 'processed') AND r.cleansed_data IS NOT NULL  -- not dropped
    UNION ALL
    SELECT (x.e ->> 'row_number')::integer, x.e
    FROM migration.data_imports d
    CROSS JOIN LATERAL jsonb_array_elements(coalesce(d.bundle_report -> 'edges', '[]'::jsonb)) AS x(e)
    WHERE d.id = $1
), keys AS (
    SELECT 'id' AS kind, lower(external_id) AS k, id, 0 AS preference FROM migration.assets WHERE external_id IS NOT NULL
    UNION ALL SELECT 'id', lower(cmdb_id), id, 1 FROM migration.assets WHERE cmdb_id IS NOT NULL
    UNION ALL SELECT 'id', lower(external_id), asset_id, 2 FROM migration.asset_external_ids  -- ids merged away
    UNION ALL SELECT 'name', lower(name), id, 0 FROM migration.assets
    UNION ALL SELECT 'name', lower(hostname), id, 1 FROM migration.assets WHERE hostname IS NOT NULL
    UNION ALL SELECT 'name', lower(fqdn), id, 2 FROM migration.assets WHERE fqdn IS NOT NULL
    UNION ALL SELECT 'name', lower(split_part(fqdn, '.', 1)), id, 3 FROM migration.assets WHERE fqdn IS NOT NULL
    UNION ALL SELECT 'ip', ip_address, id, 0 FROM migration.assets WHERE ip_address IS NOT NULL
    UNION ALL SELECT 'ip', ip.value, a.id, 1 FROM migration.assets a
        CROSS JOIN LATERAL jsonb_array_elements_text(a.ip_addresses) AS ip(value)
), best AS (
    SELECT DISTINCT ON (kind, k) kind, k, id FROM keys ORDER BY kind, k, preference, id
), resolved AS (
    SELECT recs.row_number, recs.e, s.id AS source_id, t.id AS target_id
    FROM recs
    LEFT JOIN best s ON s.kind = recs.e ->> 'source_ref_kind' AND s.k = lower(recs.e ->> 'source_ref')
    LEFT JOIN best t ON t.kind = recs.e ->> 'target_ref_kind' AND t.k = lower(recs.e ->> 'target_ref')
), inserted AS (
    INSERT INTO migration.asset_dependencies AS d
        (client_account_id, engagement_id, source_asset_id, target_asset_id, dependency_type, strength, port,
         protocol, direction, evidence_source, data_import_id, confidence)
    SELECT DISTINCT ON (source_id, target_id, e ->> 'dependency_type', coalesce((e ->> 'port')::integer, -1))
           $2::uuid, $3::uuid, source_id, target_id, e ->> 'dependency_type', e ->> 'strength',
           (e ->> 'port')::integer, e ->> 'protocol', e ->> 'direction', e ->> 'evidence_source', $1::uuid, 1.0
    FROM resolved
    WHERE source_id IS NOT NULL AND target_id IS NOT NULL AND source_id <> target_id
    ORDER BY source_id, target_id, e ->> 'dependency_type', coalesce((e ->> 'port')::integer, -1), row_number
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM inserted) AS inserted,
       (SELECT count(*) FROM resolved WHERE source_id IS NOT NULL AND target_id IS NOT NULL
                                        AND source_id <> target_id) AS resolved,
       (SELECT count(*) FROM migration.asset_dependencies) + (SELECT count(*) FROM inserted) AS total,
       (SELECT coalesce(jsonb_agg(DISTINCT x.ref ORDER BY x.ref), '[]'::jsonb) FROM (
            SELECT (e ->> 'source_ref_kind') || ':' || (e ->> 'source_ref') AS ref FROM resolved WHERE source_id IS NULL
            UNION
            SELECT (e ->> 'target_ref_kind') || ':' || (e ->> 'target_ref') FROM resolved WHERE target_id IS NULL
        ) x) AS dangling
