-- Approves every still-suggested mapping with a target of the given imports, as suggested.
UPDATE migration.import_field_mappings
SET status = 'approved', approved_by = $2, approved_at = now()
WHERE data_import_id = ANY($1::uuid[]) AND status = 'suggested' AND target_field IS NOT NULL
RETURNING data_import_id, source_field, target_field, transformation
