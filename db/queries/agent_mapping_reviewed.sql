-- The mapping crew answered for these columns of one import ($2: their names).
UPDATE migration.import_field_mappings
SET agent_reviewed_at = now()
WHERE data_import_id = $1 AND source_field = ANY($2::text[])
