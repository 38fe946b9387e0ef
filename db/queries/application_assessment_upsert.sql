-- One application's strategy from its assets' vote; the cost columns are left to the cost step.
-- $1 client, $2 engagement, $3 application, $4 assessment flow, $5 asset count, $6 strategy,
-- $7 confidence, $8 target platform, $9 rationale.
INSERT INTO migration.application_assessments
    (client_account_id, engagement_id, application_name, assessment_flow_id, asset_count, six_r_strategy,
     strategy_source, strategy_confidence, target_platform, strategy_rationale)
VALUES ($1, $2, $3, $4, $5, $6, 'rule', $7, $8, $9)
ON CONFLICT (engagement_id, md5(application_name)) DO UPDATE
SET assessment_flow_id = excluded.assessment_flow_id, asset_count = excluded.asset_count,
    six_r_strategy = excluded.six_r_strategy, strategy_source = excluded.strategy_source,
    strategy_confidence = excluded.strategy_confidence, target_platform = excluded.target_platform,
    strategy_rationale = excluded.strategy_rationale
