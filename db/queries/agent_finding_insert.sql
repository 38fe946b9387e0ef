-- One finding of the plan critic: an engagement-scoped insight with its embedding (a finding repeated in the
-- same critique under the same key keeps the first).
INSERT INTO migration.agent_learning_patterns
    (client_account_id, engagement_id, master_flow_id, insight_type, scope, pattern_key, pattern_value,
     embedding, embedding_model, raw_evidence, confidence_score, discovered_by, validated)
VALUES ($1, $2, $3, $4, 'engagement', $5, $6, $7, $8, $9, $10, 'plan_critic', false)
ON CONFLICT DO NOTHING
