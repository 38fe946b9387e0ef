-- Adds address $2 (JSON text) to asset $1's list /*@list*/ (ip_addresses or mac_addresses, filled by
-- db/conflict_review.py) unless the list holds it: the primary address a person chose is one of them.
UPDATE migration.assets a
SET /*@list*/ = CASE WHEN a./*@list*/ @> jsonb_build_array($2::jsonb) THEN a./*@list*/
                     ELSE a./*@list*/ || jsonb_build_array($2::jsonb) END
WHERE a.id = $1
