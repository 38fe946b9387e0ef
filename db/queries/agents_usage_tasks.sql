-- An engagement's crew tasks per agent (crew), phase and status (`agents usage`), under the caller's tenant
-- context.
SELECT agent_name, phase, status, count(*)::bigint AS tasks
FROM migration.agent_task_history
WHERE engagement_id = $1
GROUP BY agent_name, phase, status
