-- An engagement's merge conflicts for review, open ones first ($1: the resolved ones too).
SELECT c.id, c.asset_id, a.name AS asset_name, c.field, c.kept_value, c.incoming_value,
       o.name AS other_asset_name, d.file_name, c.row_number, c.status, c.resolution, c.resolved_at
FROM migration.asset_merge_conflicts c
JOIN migration.assets a ON a.id = c.asset_id
LEFT JOIN migration.assets o ON o.id = c.other_asset_id
JOIN migration.data_imports d ON d.id = c.data_import_id
WHERE $1::boolean OR c.status = 'open'
ORDER BY c.status = 'resolved', lower(a.name), c.field, c.created_at, c.id
