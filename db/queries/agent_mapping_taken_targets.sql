-- The targets already approved in each of the given imports (the mapping crew proposes none of them again).
SELECT data_import_id, source_field, target_field
FROM migration.import_field_mappings
WHERE data_import_id = ANY($1::uuid[]) AND status = 'approved' AND target_field IS NOT NULL
