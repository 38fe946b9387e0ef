-- The distinct non-empty cells of import $1's unmapped columns ($2, kept as custom attributes) that
-- cleansing may alter: every cell of a date-named column ($3), else the cells the text prefilter of
-- cleanse_distinct_cells.sql admits ($4 stripped characters, $5 placeholder keys).
SELECT DISTINCT c.column_name, c.text
FROM (
    -- each row's raw data decompressed once (OFFSET 0), not once per column read
    SELECT raw_data || '{}' AS raw_data FROM migration.raw_import_records WHERE data_import_id = $1 OFFSET 0
) r
CROSS JOIN unnest($2::text[]) AS u(column_name)
CROSS JOIN LATERAL (SELECT u.column_name, nullif(r.raw_data ->> u.column_name, '') AS text OFFSET 0) c  -- read once
WHERE c.text IS NOT NULL
  AND (c.column_name = ANY($3::text[])
       OR left(c.text, 1) = ANY($4::text[]) OR right(c.text, 1) = ANY($4::text[])
       OR octet_length(c.text) <> length(c.text)
       OR lower(regexp_replace(c.text, '[^0-9A-Za-z]', '', 'g') COLLATE "C") = ANY($5::text[]))
