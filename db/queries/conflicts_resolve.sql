-- Resolves conflict $1 as a person decided ($2 resolution, $3 user) and, unless it is about two
-- assets, every other open conflict of the same asset and column, or of the columns the decision
-- also wrote ($4: an OS's family and version): one decision settles them (those name the conflict
-- that settled them).
UPDATE migration.asset_merge_conflicts c
SET status = 'resolved', resolved_by = $3, resolved_at = now(),
    resolution = CASE WHEN c.id = $1 THEN $2 ELSE 'settled with conflict ' || $1::text || ': ' || $2 END
FROM migration.asset_merge_conflicts decided
WHERE decided.id = $1 AND c.status = 'open'
  AND (c.id = decided.id OR (decided.field <> 'asset' AND c.asset_id = decided.asset_id
                              AND (c.field = decided.field OR c.field = ANY($4::text[]))))
RETURNING c.id
