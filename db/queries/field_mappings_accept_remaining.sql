-- Approves every still-suggested mapping with a target of the given imports, as suggested, unless a
-- person already gave that target to another column of the same file (that suggestion stays open).
UPDATE migration.import_field_mappings m
SET status = 'approved', approved_by = $2, approved_at = now()
WHERE m.data_import_id = ANY($1::uuid[]) AND m.status = 'suggested' AND m.target_field IS NOT NULL
  AND NOT EXISTS (SELECT FROM migration.import_field_mappings a
                  WHERE a.data_import_id = m.data_import_id AND a.status = 'approved'
                    AND a.target_field = m.target_field)
RETURNING m.data_import_id, m.source_field, m.target_field, m.transformation
