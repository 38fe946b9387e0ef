-- The step runs of each wave's latest run that failed, or completed with blocker or warning findings, with the
-- names of their asset and application and the reason (a failed run's error, else its findings), bounded; the
-- first $1 by wave (failures first) and step order; total: how many there are.
WITH latest AS (
    SELECT DISTINCT ON (wave_number) id, wave_number, run_number
      FROM migration.wave_runbooks
     ORDER BY wave_number, run_number DESC
)
SELECT l.wave_number, l.run_number, s.strategy, s.direction, s.step_key, s.title, s.scope, r.status,
       a.name AS asset_name,
       CASE WHEN r.application_name LIKE 'asset:%' THEN NULL ELSE r.application_name END AS application_name,
       left(CASE WHEN r.status = 'failed' THEN coalesce(r.error, f.findings) ELSE f.findings END, 500) AS reason,
       count(*) OVER () AS total
  FROM latest l
  JOIN migration.step_runs r ON r.runbook_id = l.id
  JOIN migration.runbook_steps s ON s.id = r.step_id
  LEFT JOIN migration.assets a  -- an asset's run, or the asset an application-scope run stands for
    ON a.id = coalesce(r.asset_id, CASE WHEN r.workload_key ~ '^asset:[0-9a-f-]{36}$'
                                        THEN substr(r.workload_key, 7)::uuid END)
  LEFT JOIN LATERAL (SELECT string_agg((e.value->>'severity') || ' ' || (e.value->>'check') || ': '
                                       || (e.value->>'message'), '; ' ORDER BY e.ordinality) AS findings
                       FROM jsonb_array_elements(r.findings) WITH ORDINALITY e
                      WHERE e.value->>'severity' IN ('blocker', 'warning')) f ON true
 WHERE r.status = 'failed'
    OR (r.status = 'completed' AND r.findings @? '$[*] ? (@.severity == "blocker" || @.severity == "warning")')
 ORDER BY l.wave_number, r.status DESC, s.strategy, s.direction, s.group_index, s.position,
          coalesce(a.name, r.application_name) COLLATE "C", r.workload_key
 LIMIT $1
