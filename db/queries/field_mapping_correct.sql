-- A person's choice for one source column: it becomes the approved mapping (source 'user').
-- $1 import, $2 source column, $3 target (NULL: leave unmapped), $4 user, $5 reason.
UPDATE migration.import_field_mappings
SET target_field = $3::text, confidence = 1.0, source = 'user', status = CASE WHEN $3::text IS NULL THEN 'rejected' ELSE 'approved' END,
    approved_by = $4, approved_at = now(), reason = $5
WHERE data_import_id = $1 AND md5(source_field) = md5($2) AND source_field = $2
RETURNING source_field, target_field, transformation
