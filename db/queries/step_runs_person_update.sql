-- A person's action on runs of runbook $1, each only from the status it was seen in: $2 the person, $3 their
-- note, $4 evidence, $5 change reference; per run the new status, approvals (JSON text: a list of lists cannot
-- travel as jsonb[]), error, attempts, generation and key.
UPDATE migration.step_runs r
   SET status = u.status,
       actor = $2,
       note = coalesce($3, r.note),
       evidence = coalesce($4, r.evidence),
       change_reference = coalesce($5, r.change_reference),
       approvals = u.approvals::jsonb,
       error = u.error,
       attempts = u.attempts,
       generation = u.generation,
       idempotency_key = u.idempotency_key,
       next_attempt_at = NULL,
       started_at = CASE WHEN u.status = 'not_started' THEN NULL ELSE r.started_at END,
       completed_at = CASE WHEN u.status IN ('completed', 'failed', 'skipped', 'abandoned') THEN now() END
  FROM unnest($6::uuid[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::int[], $13::text[])
       AS u(id, expected, status, approvals, error, attempts, generation, idempotency_key)
 WHERE r.runbook_id = $1 AND r.id = u.id AND r.status = u.expected
RETURNING r.id
