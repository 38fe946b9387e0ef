-- The step runs of each wave's latest run that failed, or completed with blocker or warning findings, with the
-- names of their asset and application and the reason (a failed run's error, else its findings), bounded; the
-- first $1 by wave (failures first), step order and application; total: how many there are. Asset names are
-- looked up for the rows shown only (one by one: a join over every issue was planned as a nested loop over
-- every asset of the engagement).
WITH latest AS (
    SELECT DISTINCT ON (wave_number) id, wave_number, run_number
      FROM migration.wave_runbooks
     ORDER BY wave_number, run_number DESC
), shown AS (
    SELECT l.wave_number, l.run_number, s.strategy, s.direction, s.step_key, s.title, s.scope, r.status,
           r.workload_key, r.error, r.findings,
           -- an asset's run, or the asset an application-scope run stands for
           coalesce(r.asset_id, CASE WHEN r.workload_key ~ '^asset:[0-9a-f-]{36}$'
                                     THEN substr(r.workload_key, 7)::uuid END) AS asset_ref,
           CASE WHEN r.application_name LIKE 'asset:%' THEN NULL ELSE r.application_name END AS application_name,
           s.group_index, s.position, count(*) OVER () AS total
      FROM latest l
      JOIN migration.step_runs r ON r.runbook_id = l.id
      JOIN migration.runbook_steps s ON s.id = r.step_id
     WHERE r.status = 'failed'
        OR (r.status = 'completed' AND r.findings @? '$[*] ? (@.severity == "blocker" || @.severity == "warning")')
     ORDER BY l.wave_number, r.status DESC, s.strategy, s.direction, s.group_index, s.position,
              r.application_name COLLATE "C" NULLS FIRST, r.workload_key
     LIMIT $1
)
SELECT x.wave_number, x.run_number, x.strategy, x.direction, x.step_key, x.title, x.scope, x.status,
       (SELECT a.name FROM migration.assets a WHERE a.id = x.asset_ref) AS asset_name, x.application_name,
       left(CASE WHEN x.status = 'failed' THEN coalesce(x.error, f.findings) ELSE f.findings END, 500) AS reason,
       x.total
  FROM shown x
  LEFT JOIN LATERAL (SELECT string_agg((e.value->>'severity') || ' ' || (e.value->>'check') || ': '
                                       || (e.value->>'message'), '; ' ORDER BY e.ordinality) AS findings
                       FROM jsonb_array_elements(x.findings) WITH ORDINALITY e
                      WHERE e.value->>'severity' IN ('blocker', 'warning')) f ON true
 ORDER BY x.wave_number, x.status DESC, x.strategy, x.direction, x.group_index, x.position,
          x.application_name COLLATE "C" NULLS FIRST, x.workload_key
