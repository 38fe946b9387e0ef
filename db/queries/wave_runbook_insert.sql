-- A wave's next run: $1 execution flow, $2 wave, $3 templates used, $4/$5 cutover window, $6 in-flight limit.
INSERT INTO migration.wave_runbooks (client_account_id, engagement_id, execution_flow_id, wave_number, run_number,
                                     templates, cutover_start, cutover_end, workload_limit)
SELECT migration.current_client_id(), migration.current_engagement_id(), $1, $2,
       coalesce((SELECT max(run_number) FROM migration.wave_runbooks WHERE wave_number = $2), 0) + 1,
       $3, $4, $5, $6
RETURNING id, run_number
