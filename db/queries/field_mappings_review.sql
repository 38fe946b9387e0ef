-- Every mapping of the given imports with the file it belongs to, for review (CLI and activity).
SELECT d.id AS data_import_id, d.file_name, m.source_field, m.target_field, m.confidence, m.source, m.status,
       m.reason, m.transformation
FROM migration.import_field_mappings m
JOIN migration.data_imports d ON d.id = m.data_import_id
WHERE m.data_import_id = ANY($1::uuid[])
ORDER BY d.file_name, m.created_at, m.source_field
