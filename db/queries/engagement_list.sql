-- The current client's engagements; the archived ones only if $1.
SELECT id, name, status, start_date, approval_policy, archived_at FROM migration.engagements
WHERE $1 OR status <> 'archived'
ORDER BY name
