-- The next batch of an import's rows after a row number (keyset pagination, resumable).
SELECT row_number, raw_data, status, validation_errors
FROM migration.raw_import_records
WHERE data_import_id = $1 AND row_number > $2
ORDER BY row_number
LIMIT $3
