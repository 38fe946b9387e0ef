-- The steps of runbook $1 with their specifications.
SELECT id, strategy, direction, step_key, title, step_type, group_index, scope, position, needs, spec
  FROM migration.runbook_steps WHERE runbook_id = $1
