-- The mapping crew's suggestion for one column: source 'llm', always for a person to review; never over a
-- person's decision or an approved mapping.
UPDATE migration.import_field_mappings
SET target_field = $3, confidence = $4, source = 'llm', status = 'suggested', reason = $5, transformation = NULL
WHERE data_import_id = $1 AND md5(source_field) = md5($2) AND source_field = $2
  AND source IS DISTINCT FROM 'user' AND status = 'suggested'
