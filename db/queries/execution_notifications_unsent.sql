-- How many notifications of runbook $1 wait to be sent.
SELECT count(*) FROM migration.execution_notifications WHERE runbook_id = $1 AND sent_at IS NULL
