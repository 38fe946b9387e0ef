-- Every planned wave, its plan status and its latest runbook run (run columns NULL: the wave has not started):
-- the run's number, status, start and end, and its forward step runs counted by status.
SELECT w.wave_number, w.name, w.status AS wave_status, w.planned_start, w.planned_end,
       b.run_number, b.status, b.started_at, b.completed_at,
       coalesce((SELECT jsonb_object_agg(c.status, c.n)
                   FROM (SELECT r.status, count(*) AS n
                           FROM migration.step_runs r
                           JOIN migration.runbook_steps s ON s.id = r.step_id
                          WHERE r.runbook_id = b.id AND s.direction = 'forward'
                          GROUP BY r.status) c), '{}'::jsonb) AS counts
  FROM migration.migration_waves w
  LEFT JOIN LATERAL (SELECT id, run_number, status, started_at, completed_at
                       FROM migration.wave_runbooks b
                      WHERE b.wave_number = w.wave_number
                      ORDER BY b.run_number DESC LIMIT 1) b ON true
 ORDER BY w.wave_number
