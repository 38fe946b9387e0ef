-- 0015_raw_records_without_gin: no query searches raw rows by their contents, and the GIN index on
-- raw_import_records.raw_data made every staged row cost an index insert of all its keys and
-- values (bench/ingest: the staging insert spent most of its time there). Raw rows are read by
-- (data_import_id, row_number) and by asset.
DROP INDEX migration.ix_raw_import_records_raw_data;
