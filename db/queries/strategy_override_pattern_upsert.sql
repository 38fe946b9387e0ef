-- Stores a person's strategy override as an engagement-scoped learning pattern (one per asset; a
-- later override replaces it), embedded from a description of the asset's facts. Returns its id.
-- $1 client, $2 engagement, $3 pattern key, $4 pattern value, $5 embedding, $6 embedding model,
-- $7 evidence.
WITH updated AS (
    UPDATE migration.agent_learning_patterns p
    SET pattern_value = $4, embedding = $5, embedding_model = $6, raw_evidence = $7, confidence_score = 1,
        validated = true
    WHERE p.client_account_id = $1 AND p.engagement_id = $2 AND p.scope = 'engagement'
      AND p.insight_type = 'optimization_opportunity'
      AND md5(p.pattern_key) = md5($3) AND p.pattern_key = $3
    RETURNING p.id
), inserted AS (
    INSERT INTO migration.agent_learning_patterns
        (client_account_id, engagement_id, insight_type, scope, pattern_key, pattern_value, embedding,
         embedding_model, raw_evidence, confidence_score, discovered_by, validated)
    SELECT $1, $2, 'optimization_opportunity', 'engagement', $3, $4, $5, $6, $7, 1, 'strategy_override', true
    WHERE NOT EXISTS (SELECT FROM updated)
    RETURNING id
)
SELECT id FROM updated UNION ALL SELECT id FROM inserted
