-- The targets each column of the given imports holds, approved or suggested: the mapping crew proposes none of
-- them for another column, so a person can accept every suggestion at once.
SELECT data_import_id, source_field, target_field
FROM migration.import_field_mappings
WHERE data_import_id = ANY($1::uuid[]) AND status IN ('approved', 'suggested') AND target_field IS NOT NULL
