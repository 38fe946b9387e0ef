-- Moves runs of runbook $1 on, each only from the status the scheduler saw ($3 expected): a person's action
-- or another attempt that changed a run in between wins. $2 the workflow's time (a run's ready_at, an escalation). Findings
-- travel as JSON text (a list of lists cannot travel as jsonb[]).
UPDATE migration.step_runs r
   SET status = u.status,
       next_attempt_at = u.next_attempt_at,
       ready_at = coalesce(r.ready_at, $2),
       output_excerpt = coalesce(u.output, r.output_excerpt),
       error = u.error,
       findings = coalesce(u.findings::jsonb, r.findings),
       attempts = r.attempts + u.attempt,
       started_at = CASE WHEN u.status = 'in_progress' THEN coalesce(r.started_at, now()) ELSE r.started_at END,
       -- an approval that stays pending when its expiry passed was escalated
       escalated_at = CASE WHEN r.status = 'pending_approval' AND u.status = 'pending_approval' THEN $2
                           ELSE r.escalated_at END,
       completed_at = CASE WHEN u.status IN ('completed', 'failed', 'skipped', 'abandoned') THEN now() END
  FROM unnest($4::uuid[], $3::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::text[],
              $10::int[]) AS u(id, expected, status, next_attempt_at, output, error, findings, attempt)
 WHERE r.runbook_id = $1 AND r.id = u.id AND r.status = u.expected
RETURNING r.id
