-- An engagement's model calls per agent (crew) and phase (`agents usage`): calls, failed ones, tokens and the
-- estimated cost. Read under the caller's tenant context, so row-level security decides which rows count.
SELECT agent_name,
       phase,
       count(*)::bigint AS calls,
       count(*) FILTER (WHERE NOT success)::bigint AS failed_calls,
       coalesce(sum(prompt_tokens), 0)::bigint AS prompt_tokens,
       coalesce(sum(completion_tokens), 0)::bigint AS completion_tokens,
       coalesce(sum(cached_tokens), 0)::bigint AS cached_tokens,
       coalesce(sum(cost_usd), 0) AS cost_usd
FROM migration.llm_usage_log
WHERE engagement_id = $1
GROUP BY agent_name, phase
