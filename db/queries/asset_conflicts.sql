-- The values imports disagreed about for one asset, open ones first.
SELECT c.field, c.kept_value, c.incoming_value, c.status, d.file_name, c.row_number, c.created_at
FROM migration.asset_merge_conflicts c
JOIN migration.data_imports d ON d.id = c.data_import_id
WHERE c.asset_id = $1
ORDER BY c.status = 'resolved', c.created_at, c.field
