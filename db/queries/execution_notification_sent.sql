-- Notification $1 was delivered ($2 true) or its attempt failed with error $3.
UPDATE migration.execution_notifications
   SET sent_at = CASE WHEN $2 THEN now() END, attempts = attempts + 1, last_error = $3
 WHERE id = $1 AND sent_at IS NULL
