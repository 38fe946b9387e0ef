-- The conflicts whose id starts with $1 (a full id or a prefix of one), locked for the decision.
SELECT c.id, c.asset_id, a.name AS asset_name, c.field, c.kept_value, c.incoming_value, c.other_asset_id,
       c.data_import_id, d.file_name, c.row_number, c.status
FROM migration.asset_merge_conflicts c
JOIN migration.assets a ON a.id = c.asset_id
JOIN migration.data_imports d ON d.id = c.data_import_id
WHERE c.id::text LIKE $1::text || '%'
ORDER BY c.id
LIMIT 5
FOR UPDATE OF c
