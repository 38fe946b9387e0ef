-- Columns of the given inventory imports the rules left without a target or below the review threshold ($2),
-- not decided by a person and not yet answered by the mapping crew; the first $3, by file and column.
SELECT m.data_import_id, d.file_name, m.source_field, m.target_field, m.confidence
FROM migration.import_field_mappings m
JOIN migration.data_imports d ON d.id = m.data_import_id
WHERE m.data_import_id = ANY($1::uuid[]) AND d.import_role = 'inventory'
  AND m.status = 'suggested' AND m.source IS DISTINCT FROM 'user' AND m.agent_reviewed_at IS NULL
  AND (m.target_field IS NULL OR m.confidence < $2)
ORDER BY d.file_name, m.source_field
LIMIT $3
