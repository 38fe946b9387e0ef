-- The engagement's planned waves ($1: one wave number, or NULL for all), each with its latest runbook (the
-- highest run number; NULL columns when the wave has not started) and its forward step runs counted by status.
SELECT w.wave_number, w.name, w.status AS wave_status, w.planned_start, w.planned_end,
       b.id AS runbook_id, b.run_number, b.status, b.cutover_start, b.cutover_end, b.abort_reason, b.started_at,
       b.completed_at,
       coalesce((SELECT jsonb_object_agg(c.status, c.n)
                   FROM (SELECT r.status, count(*) AS n
                           FROM migration.step_runs r
                           JOIN migration.runbook_steps s ON s.id = r.step_id
                          WHERE r.runbook_id = b.id AND s.direction = 'forward'
                          GROUP BY r.status) c), '{}'::jsonb) AS counts
  FROM migration.migration_waves w
  LEFT JOIN LATERAL (SELECT * FROM migration.wave_runbooks b
                      WHERE b.wave_number = w.wave_number
                      ORDER BY b.run_number DESC LIMIT 1) b ON true
 WHERE $1::integer IS NULL OR w.wave_number = $1
 ORDER BY w.wave_number
