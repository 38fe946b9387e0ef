-- The first rows of an import, for profiling the values of its columns.
SELECT raw_data FROM migration.raw_import_records
WHERE data_import_id = $1 AND status <> 'quarantined'
ORDER BY row_number
LIMIT $2
