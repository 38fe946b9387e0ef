-- An engagement's agent budget (settings.agents: budget_tokens, budget_calls; NULL: the defaults) and what its
-- model calls used so far: every call counts, failed ones too (their tokens were spent).
SELECT e.settings -> 'agents' AS agents,
       coalesce(u.tokens, 0)::bigint AS used_tokens,
       coalesce(u.calls, 0)::bigint AS used_calls
FROM migration.engagements e
LEFT JOIN LATERAL (
    SELECT sum(l.prompt_tokens::bigint + l.completion_tokens) AS tokens, count(*) AS calls
    FROM migration.llm_usage_log l
    WHERE l.engagement_id = e.id
) u ON true
WHERE e.id = $1
