-- The current client's own retention of each log, in days (NULL: the platform default); no row: all defaults.
SELECT llm_usage_log_days AS llm_usage_log, agent_task_history_days AS agent_task_history,
       security_audit_logs_days AS security_audit_logs
FROM migration.retention_policies
