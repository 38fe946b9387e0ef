-- The step runs of runbook $1 in statuses $2 (those a person looks at: waiting, failed ...), at most $3 per step
-- (NULL: all), in that order of statuses, with the asset each concerns (an asset-scope run's, or the one an
-- application-scope run stands for; their names: execution_status_asset_facts) and the approvals given so far
-- with the approvers' e-mails.
SELECT x.* FROM (
    SELECT r.id, r.step_id, r.workload_key, r.status, r.asset_id, r.application_name, r.attempts,
           r.next_attempt_at, r.error, r.escalated_at, r.updated_at,
           coalesce(r.asset_id, CASE WHEN r.workload_key ~ '^asset:[0-9a-f-]{36}$'
                                     THEN substr(r.workload_key, 7)::uuid END) AS named_asset,
           (SELECT coalesce(jsonb_agg(jsonb_build_object('person', e.value->>'person', 'email', u.email,
                                                         'decision', e.value->>'decision',
                                                         'role', e.value->>'role', 'at', e.value->>'at')
                                      ORDER BY e.ordinality), '[]'::jsonb)
              FROM jsonb_array_elements(r.approvals) WITH ORDINALITY e
              LEFT JOIN migration.users u ON u.id::text = e.value->>'person') AS approvals,
           row_number() OVER (PARTITION BY r.step_id
                              ORDER BY array_position($2::text[], r.status), r.workload_key) AS n
      FROM migration.step_runs r
     WHERE r.runbook_id = $1 AND r.status = ANY($2::text[])
) x
 WHERE $3::integer IS NULL OR x.n <= $3
