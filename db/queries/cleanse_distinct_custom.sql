-- The distinct non-empty cells of import $1's columns that no mapping uses (kept as custom attributes).
SELECT DISTINCT e.key AS column_name, e.value AS text
FROM migration.raw_import_records r
CROSS JOIN LATERAL jsonb_each_text(r.raw_data) e
WHERE r.data_import_id = $1 AND e.value <> '' AND e.key NOT IN (SELECT source FROM cleanse_columns)
