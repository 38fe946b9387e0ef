-- The other asset of the engagement that holds external id $2 (JSON text), if any; asset $1 excluded.
SELECT a.id, a.name FROM migration.assets a
WHERE a.external_id = $2::jsonb #>> '{}' AND a.id <> $1
LIMIT 1
