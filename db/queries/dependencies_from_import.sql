-- Edges from the depends_on lists of an import's records. A reference matches an asset of the
-- engagement by external id (or one it was known by before a merge), hostname, name or FQDN
-- (case-insensitive, in that order of preference); unmatched references are returned, never dropped.
-- $1 import, $2 client, $3 engagement.
WITH refs AS (
    SELECT r.asset_id AS source_id, btrim(ref.value) AS ref
    FROM migration.raw_import_records r
    CROSS JOIN LATERAL jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(r.cleansed_data -> 'depends_on') = 'array' THEN r.cleansed_data -> 'depends_on'
             ELSE '[]'::jsonb END) AS ref(value)
    WHERE r.data_import_id = $1 AND r.asset_id IS NOT NULL AND btrim(ref.value) <> ''
), keys AS (
    SELECT lower(external_id) AS k, id, 0 AS preference FROM migration.assets WHERE external_id IS NOT NULL
    UNION ALL SELECT lower(external_id), asset_id, 1 FROM migration.asset_external_ids  -- ids merged away
    UNION ALL SELECT lower(hostname), id, 2 FROM migration.assets WHERE hostname IS NOT NULL
    UNION ALL SELECT lower(name), id, 3 FROM migration.assets
    UNION ALL SELECT lower(fqdn), id, 4 FROM migration.assets WHERE fqdn IS NOT NULL
), best AS (
    SELECT DISTINCT ON (k) k, id FROM keys ORDER BY k, preference, id
), resolved AS (
    SELECT refs.source_id, refs.ref, best.id AS target_id
    FROM refs LEFT JOIN best ON best.k = lower(refs.ref)
), inserted AS (
    INSERT INTO migration.asset_dependencies
        (client_account_id, engagement_id, source_asset_id, target_asset_id, dependency_type, strength,
         evidence_source, data_import_id, confidence)
    SELECT DISTINCT $2::uuid, $3::uuid, source_id, target_id, 'depends_on', 'hard', 'import:depends_on', $1::uuid, 1.0
    FROM resolved
    WHERE target_id IS NOT NULL AND target_id <> source_id
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM inserted) AS inserted,
       (SELECT count(*) FROM resolved WHERE target_id IS NOT NULL AND target_id <> source_id) AS resolved,
       (SELECT count(*) FROM migration.asset_dependencies) + (SELECT count(*) FROM inserted) AS total,
       (SELECT coalesce(jsonb_agg(DISTINCT ref ORDER BY ref), '[]'::jsonb) FROM resolved WHERE target_id IS NULL)
           AS dangling
