-- Writes rule-based strategy recommendations; a person's override (source 'user') is never replaced.
-- $1 assessment flow. v: {strategy, confidence, target_platform, rationale: {rule, score, components,
-- reasons, runner_ups, alternatives}}.
UPDATE migration.assets a
SET six_r_strategy = s.v ->> 'strategy',
    strategy_source = 'rule',
    strategy_confidence = (s.v ->> 'confidence')::double precision,
    strategy_rationale = s.v -> 'rationale',
    target_platform = s.v ->> 'target_platform',
    assessment_flow_id = $1,
    migration_status = CASE WHEN a.migration_status = 'not_started' THEN 'assessed' ELSE a.migration_status END
FROM staging_asset_values s
WHERE a.id = s.asset_id AND a.strategy_source IS DISTINCT FROM 'user'
