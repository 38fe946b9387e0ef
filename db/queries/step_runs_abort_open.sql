-- An aborted wave: its forward runs not done are abandoned (runbook $1).
UPDATE migration.step_runs r
   SET status = 'abandoned', note = 'the wave was aborted', completed_at = now(), next_attempt_at = NULL
  FROM migration.runbook_steps s
 WHERE r.runbook_id = $1 AND s.id = r.step_id AND s.direction = 'forward'
   AND r.status NOT IN ('completed', 'skipped', 'abandoned')
