-- The strategy crew's alternative for an asset ($5) or an application ($6), replacing its earlier one (the
-- statement before, agent_recommendation_delete, removed that in the same transaction).
INSERT INTO migration.agent_recommendations
    (client_account_id, engagement_id, master_flow_id, subject_type, asset_id, application_name, strategy,
     confidence, rationale, model, input_digest, agent_task_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
