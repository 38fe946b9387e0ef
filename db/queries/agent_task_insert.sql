-- One crew task's outcome: what it was given (a summary), what it answered (kept and dropped), how it ended.
INSERT INTO migration.agent_task_history
    (id, client_account_id, engagement_id, master_flow_id, agent_name, task_name, phase, model, status,
     input_summary, output_summary, error_message, duration_ms)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
