-- Clears an import's raw records before it is staged again (same transaction as the new rows), so
-- re-running the import step yields the same rows, never duplicates.
DELETE FROM migration.raw_import_records WHERE data_import_id = $1
