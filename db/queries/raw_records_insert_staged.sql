-- Moves the staged rows (COPY target) into the import's raw records, set-based.
INSERT INTO migration.raw_import_records
    (client_account_id, engagement_id, data_import_id, row_number, raw_data, status, validation_errors)
SELECT $1, $2, $3, s.row_number, s.raw_data, s.status, s.validation_errors
FROM staging_raw s
