-- Assets whose rule-made strategy was of low confidence (below $1) or a close call (the runner-up within $2 of
-- the chosen score), never one a person decided; the least sure first, $3 from the $4th on.
SELECT a.id, a.name, a.asset_type, a.operating_system, a.os_version, a.environment, a.business_criticality,
       a.cpu_cores, a.memory_gb, a.storage_gb, a.cpu_utilization_avg, a.database_engine, a.lifecycle_state,
       a.application_name, a.six_r_strategy, a.strategy_confidence, a.strategy_rationale
FROM migration.assets a
WHERE a.strategy_source = 'rule' AND a.six_r_strategy IS NOT NULL
  AND (a.strategy_confidence < $1
       OR (a.strategy_rationale ->> 'score')::double precision
          - coalesce((a.strategy_rationale -> 'runner_ups' -> 0 ->> 'score')::double precision, 0) <= $2)
ORDER BY a.strategy_confidence, a.name COLLATE "C", a.id
LIMIT $3 OFFSET $4
