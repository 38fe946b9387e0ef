-- Up to 50 unsent notifications of runbook $1, oldest first, with what names them to a person.
SELECT n.id, n.kind, n.payload, n.created_at, b.wave_number, b.run_number, e.name AS engagement_name, e.id AS engagement_id
  FROM migration.execution_notifications n
  JOIN migration.wave_runbooks b ON b.id = n.runbook_id
  JOIN migration.engagements e ON e.id = n.engagement_id
 WHERE n.runbook_id = $1 AND n.sent_at IS NULL
 ORDER BY n.created_at, n.id
 LIMIT 50
