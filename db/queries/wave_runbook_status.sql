-- Runbook $1's status as recorded (a pause or an abort a person asked for stops new step runs).
SELECT status, wave_number, run_number, cutover_start, cutover_end, workload_limit
  FROM migration.wave_runbooks WHERE id = $1
