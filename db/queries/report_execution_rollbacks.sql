-- Wave runs that were aborted (rolled back, or rolling back now) by wave and run: who aborted and why, and their
-- compensations (done and in all); the first $1; total: how many there are.
SELECT b.wave_number, b.run_number, b.status, b.abort_reason, coalesce(u.display_name, u.email) AS aborted_by,
       b.completed_at, c.compensations, c.compensated, count(*) OVER () AS total
  FROM migration.wave_runbooks b
  LEFT JOIN migration.users u ON u.id = b.aborted_by
  CROSS JOIN LATERAL (SELECT count(*) AS compensations, count(*) FILTER (WHERE r.status = 'completed') AS compensated
                        FROM migration.step_runs r
                        JOIN migration.runbook_steps s ON s.id = r.step_id
                       WHERE r.runbook_id = b.id AND s.direction = 'rollback') c
 WHERE b.status IN ('aborting', 'rolling_back', 'rolled_back')
 ORDER BY b.wave_number, b.run_number
 LIMIT $1
