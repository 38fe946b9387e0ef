-- The steps of the engagement's open wave runbooks that wait for a person (manual steps, approvals): from the
-- few open runbooks to their waiting runs by (runbook, status).
SELECT DISTINCT b.wave_number, s.step_key, r.status
  FROM migration.wave_runbooks b
  JOIN migration.step_runs r ON r.runbook_id = b.id AND r.status IN ('awaiting_person', 'pending_approval')
  JOIN migration.runbook_steps s ON s.id = r.step_id
 WHERE b.status IN ('running', 'paused', 'rolling_back')
 ORDER BY b.wave_number, s.step_key
