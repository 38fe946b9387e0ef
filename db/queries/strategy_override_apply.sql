-- A person's strategy for one asset (strategy_source 'user': assessment re-runs never replace it).
-- The rationale records who and why, the strategy it replaced, and what the rules last recommended
-- (kept through later overrides). $1 asset, $2 strategy, $3 target platform, $4 user, $5 reason.
UPDATE migration.assets
SET six_r_strategy = $2,
    strategy_source = 'user',
    strategy_confidence = 1,
    target_platform = $3,
    strategy_rationale = jsonb_build_object(
        'source', 'user', 'decided_by', $4::uuid, 'reason', $5::text, 'decided_at', now(),
        'previous', jsonb_build_object('strategy', six_r_strategy, 'source', strategy_source),
        'recommended', CASE WHEN strategy_source = 'user' THEN strategy_rationale -> 'recommended'
                            WHEN strategy_source IS NOT NULL THEN jsonb_build_object(
                                'strategy', six_r_strategy, 'source', strategy_source,
                                'confidence', strategy_confidence, 'rule', strategy_rationale ->> 'rule') END),
    migration_status = CASE WHEN migration_status = 'not_started' THEN 'assessed' ELSE migration_status END
WHERE id = $1
RETURNING strategy_rationale
