-- One model call of an agent task, written as soon as the endpoint answered (or failed).
INSERT INTO migration.llm_usage_log
    (client_account_id, engagement_id, master_flow_id, agent_name, task_name, phase, agent_task_id, model, provider,
     prompt_tokens, completion_tokens, cached_tokens, tokens_estimated, cost_usd, latency_ms, success, error)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
