-- The distinct non-empty cells of import $1's mapped columns (cleanse_columns); the OS column's with
-- its row's OS-version cell ('' when none).
SELECT DISTINCT m.target, t.text,
       CASE WHEN m.target = 'operating_system' THEN coalesce(r.raw_data ->> v.source, '') ELSE '' END AS os_version
FROM migration.raw_import_records r
CROSS JOIN cleanse_columns m
LEFT JOIN cleanse_columns v ON v.target = 'os_version'
CROSS JOIN LATERAL (SELECT nullif(r.raw_data ->> m.source, '') AS text) t
WHERE r.data_import_id = $1 AND t.text IS NOT NULL
