-- Resolves conflict $1 as a person decided ($2 resolution, $3 user) and, unless it is about two
-- assets, every other open conflict of the same asset and column: one decision settles the column.
UPDATE migration.asset_merge_conflicts c
SET status = 'resolved', resolution = $2, resolved_by = $3, resolved_at = now()
FROM migration.asset_merge_conflicts decided
WHERE decided.id = $1 AND c.status = 'open'
  AND (c.id = decided.id OR (decided.field <> 'asset' AND c.asset_id = decided.asset_id AND c.field = decided.field))
RETURNING c.id
