-- The current client's engagements that are not archived.
SELECT id, name FROM migration.engagements WHERE status <> 'archived' ORDER BY name
