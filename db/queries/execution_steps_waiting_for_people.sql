-- The steps of the engagement's open wave runbooks that wait for a person (manual steps, approvals).
SELECT DISTINCT b.wave_number, s.step_key, r.status
  FROM migration.step_runs r
  JOIN migration.runbook_steps s ON s.id = r.step_id
  JOIN migration.wave_runbooks b ON b.id = r.runbook_id
 WHERE r.status IN ('awaiting_person', 'pending_approval')
   AND b.status IN ('running', 'paused', 'rolling_back')
 ORDER BY b.wave_number, s.step_key
