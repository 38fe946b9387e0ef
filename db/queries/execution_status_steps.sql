-- The steps of runbook $1 in reading order, each with its step runs counted by status.
WITH counts AS (
    SELECT step_id, jsonb_object_agg(status, n) AS counts
      FROM (SELECT step_id, status, count(*) AS n FROM migration.step_runs
             WHERE runbook_id = $1 GROUP BY step_id, status) c
     GROUP BY step_id
)
SELECT s.id, s.strategy, s.direction, s.group_index, s.group_name, s.scope, s.position, s.step_key, s.title,
       s.step_type, s.spec, coalesce(c.counts, '{}'::jsonb) AS counts
  FROM migration.runbook_steps s
  LEFT JOIN counts c ON c.step_id = s.id
 WHERE s.runbook_id = $1
 ORDER BY s.strategy, s.direction, s.group_index, s.position
