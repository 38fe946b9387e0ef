-- A discovery that failed for good leaves none of its imports in between: those it staged and had not
-- completed end `failed` with the phase's error. $1 discovery flow, $2 error.
UPDATE migration.data_imports
SET status = 'failed', error_summary = jsonb_build_object('error', $2::text), completed_at = now()
WHERE discovery_flow_id = $1 AND status NOT IN ('completed', 'failed')
