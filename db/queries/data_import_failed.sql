-- Records why an import was refused as a whole (nothing of it is kept in raw_import_records).
UPDATE migration.data_imports
SET status = 'failed', error_summary = jsonb_build_object('error', $2::text), completed_at = now()
WHERE id = $1
