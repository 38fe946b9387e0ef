-- The runbook an execution flow opened for a wave ($1 flow, $2 wave), if it did: opening is idempotent.
SELECT id, run_number, status FROM migration.wave_runbooks WHERE execution_flow_id = $1 AND wave_number = $2
