-- Totals of an import after cleansing, and its status. A dependency file's row dropped as a loop-back
-- or self edge (status 'processed' with no cleansed data) is neither valid nor quarantined.
UPDATE migration.data_imports d
SET valid_records = c.valid, quarantined_records = c.quarantined, status = $2,
    completed_at = CASE WHEN $2 = 'completed' THEN now() ELSE d.completed_at END
FROM (
    SELECT count(*) FILTER (WHERE status = 'valid' OR status = 'processed' AND cleansed_data IS NOT NULL) AS valid,
           count(*) FILTER (WHERE status = 'quarantined') AS quarantined
    FROM migration.raw_import_records WHERE data_import_id = $1
) c
WHERE d.id = $1
RETURNING d.total_records, d.valid_records, d.quarantined_records
