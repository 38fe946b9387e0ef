-- One suggested or approved mapping per source column of an import; a person's choice (source
-- 'user') is never replaced by a suggestion.
INSERT INTO migration.import_field_mappings AS m
    (client_account_id, engagement_id, data_import_id, source_field, target_field, confidence, source,
     status, reason, transformation)
SELECT $1, $2, $3, x.source_field, x.target_field, x.confidence, x.source, x.status, x.reason, x.transformation
FROM jsonb_to_recordset($4::jsonb) AS x(source_field text, target_field text, confidence double precision,
                                        source text, status text, reason text, transformation jsonb)
ON CONFLICT (data_import_id, md5(source_field)) DO UPDATE
SET target_field = EXCLUDED.target_field, confidence = EXCLUDED.confidence, source = EXCLUDED.source,
    status = EXCLUDED.status, reason = EXCLUDED.reason, transformation = EXCLUDED.transformation
WHERE m.source IS DISTINCT FROM 'user'
