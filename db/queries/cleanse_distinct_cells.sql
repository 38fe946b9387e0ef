-- The distinct non-empty cells of import $1's mapped columns (cleanse_columns) that cleansing may
-- alter; the OS column's with its row's OS-version cell ('' when none). Columns in $2 send every
-- cell; plain text columns only cells that start or end with a character str.strip removes ($3),
-- hold non-ASCII text, or whose ASCII letters and digits, lower-cased (in the C locale, whatever
-- the database's), spell a placeholder key ($4):
-- any other text cell is kept as written (domain.cleansing.may_change).
SELECT DISTINCT m.target, t.text,
       CASE WHEN m.target = 'operating_system' THEN coalesce(r.raw_data ->> v.source, '') ELSE '' END AS os_version
FROM (
    -- each row's raw data decompressed once (OFFSET 0), not once per column read
    SELECT raw_data || '{}' AS raw_data FROM migration.raw_import_records WHERE data_import_id = $1 OFFSET 0
) r
CROSS JOIN cleanse_columns m
LEFT JOIN cleanse_columns v ON v.target = 'os_version'
CROSS JOIN LATERAL (SELECT nullif(r.raw_data ->> m.source, '') AS text OFFSET 0) t  -- read once, tested often
WHERE t.text IS NOT NULL
  AND (m.target = ANY($2::text[])
       OR left(t.text, 1) = ANY($3::text[]) OR right(t.text, 1) = ANY($3::text[])
       OR octet_length(t.text) <> length(t.text)
       OR lower(regexp_replace(t.text, '[^0-9A-Za-z]', '', 'g') COLLATE "C") = ANY($4::text[]))
