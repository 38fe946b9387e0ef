-- The mappings cleansing applies: approved, with a target column.
SELECT source_field, target_field, confidence, source, reason, transformation
FROM migration.import_field_mappings
WHERE data_import_id = $1 AND status = 'approved' AND target_field IS NOT NULL
ORDER BY source_field
