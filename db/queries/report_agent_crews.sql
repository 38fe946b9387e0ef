-- What each crew said the last time its phase ran: the `agents` summary a phase stored with its step in
-- crew_ai_state (one row per phase that carries one, from the newest phase row).
SELECT DISTINCT ON (f.phase) f.phase, step.key AS step, step.value -> 'agents' AS agents
FROM (
    SELECT 'discovery' AS phase, crew_ai_state, updated_at FROM migration.discovery_flows
    UNION ALL
    SELECT 'assessment', crew_ai_state, updated_at FROM migration.assessment_flows
    UNION ALL
    SELECT 'planning', crew_ai_state, updated_at FROM migration.planning_flows
    UNION ALL
    SELECT 'execution', crew_ai_state, updated_at FROM migration.execution_flows
) f
CROSS JOIN LATERAL jsonb_each(f.crew_ai_state) step
WHERE jsonb_typeof(step.value) = 'object' AND jsonb_typeof(step.value -> 'agents') = 'object'
ORDER BY f.phase, f.updated_at DESC, step.key
