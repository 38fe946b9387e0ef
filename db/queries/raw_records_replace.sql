-- Replaces an import's raw records with the staged rows in one set-based statement pair:
-- re-running an import step therefore yields the same rows, never duplicates.
WITH cleared AS (
    DELETE FROM migration.raw_import_records WHERE data_import_id = $3
)
INSERT INTO migration.raw_import_records
    (client_account_id, engagement_id, data_import_id, row_number, raw_data, status, validation_errors)
SELECT $1, $2, $3, s.row_number, s.raw_data, s.status, s.validation_errors
FROM staging_raw s
