-- Writes a staged batch of cleansing results onto the import's raw records.
UPDATE migration.raw_import_records r
SET cleansed_data = s.cleansed_data, cleansing_changes = s.cleansing_changes, natural_key = s.natural_key,
    status = s.status, validation_errors = s.validation_errors
FROM staging_cleansed s
WHERE r.data_import_id = $1 AND r.row_number = s.row_number
