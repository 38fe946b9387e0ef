-- Quarantined rows of the given imports, in file order, with why they were kept out.
SELECT d.file_name, r.row_number, r.validation_errors, r.raw_data
FROM migration.raw_import_records r
JOIN migration.data_imports d ON d.id = r.data_import_id
WHERE r.data_import_id = ANY($1::uuid[]) AND r.status = 'quarantined'
ORDER BY d.file_name, r.row_number
