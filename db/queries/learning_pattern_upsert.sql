-- Stores what a person decided for a header as a field-mapping pattern of the given scope: one
-- pattern per (client, scope's engagement, normalised header); a later decision replaces it.
-- $1 client, $2 engagement (NULL for client/global scope), $3 scope, $4 pattern key (normalised
-- header), $5 pattern value, $6 embedding, $7 embedding model, $8 evidence, $9 confidence,
-- $10 master flow.
WITH updated AS (
    UPDATE migration.agent_learning_patterns p
    SET pattern_value = $5, embedding = $6, embedding_model = $7, raw_evidence = $8, confidence_score = $9,
        validated = true, master_flow_id = $10
    WHERE p.client_account_id = $1 AND p.engagement_id IS NOT DISTINCT FROM $2 AND p.scope = $3
      AND p.insight_type = 'field_mapping_suggestion'
      AND md5(p.pattern_key) = md5($4) AND p.pattern_key = $4
    RETURNING p.id
)
INSERT INTO migration.agent_learning_patterns
    (client_account_id, engagement_id, master_flow_id, insight_type, scope, pattern_key, pattern_value,
     embedding, embedding_model, raw_evidence, confidence_score, discovered_by, validated)
SELECT $1, $2, $10, 'field_mapping_suggestion', $3, $4, $5, $6, $7, $8, $9, 'mapping_review', true
WHERE NOT EXISTS (SELECT FROM updated)
