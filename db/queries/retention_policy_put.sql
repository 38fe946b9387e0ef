-- Store the current client's retention policy: days of llm_usage_log, agent_task_history, security_audit_logs and
-- the archive delay ($1..$4; NULL: the platform default).
INSERT INTO migration.retention_policies
    (client_account_id, llm_usage_log_days, agent_task_history_days, security_audit_logs_days, archive_after_days)
VALUES (migration.current_client_id(), $1, $2, $3, $4)
ON CONFLICT (client_account_id) DO UPDATE
SET llm_usage_log_days = EXCLUDED.llm_usage_log_days, agent_task_history_days = EXCLUDED.agent_task_history_days,
    security_audit_logs_days = EXCLUDED.security_audit_logs_days, archive_after_days = EXCLUDED.archive_after_days
