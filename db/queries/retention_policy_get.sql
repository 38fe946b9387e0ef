-- The current client's stored retention policy (NULL fields and no row: the platform defaults).
SELECT llm_usage_log_days, agent_task_history_days, security_audit_logs_days, archive_after_days
FROM migration.retention_policies
