-- How many compensations runbook $1 holds.
SELECT count(*) FROM migration.step_runs r JOIN migration.runbook_steps s ON s.id = r.step_id
 WHERE r.runbook_id = $1 AND s.direction = 'rollback'
