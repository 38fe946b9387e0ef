-- Runbook $1 moves to status $2 if it is in one of $3; an abort records its reason ($4) and who asked ($5).
UPDATE migration.wave_runbooks
   SET status = $2,
       abort_reason = coalesce($4, abort_reason),
       aborted_by = coalesce($5, aborted_by),
       completed_at = CASE WHEN $2 IN ('completed', 'rolled_back', 'cancelled') THEN now() END
 WHERE id = $1 AND status = ANY($3::text[])
RETURNING status
