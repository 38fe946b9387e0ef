-- The engagement's model calls in all: how many (failed ones too: their tokens were spent), tokens, estimated
-- cost, and the models called.
SELECT count(*) AS calls, count(*) FILTER (WHERE NOT l.success) AS failed_calls,
       coalesce(sum(l.prompt_tokens::bigint + l.completion_tokens), 0)::bigint AS tokens,
       coalesce(sum(l.cost_usd), 0) AS cost_usd,
       coalesce(array_agg(DISTINCT l.model ORDER BY l.model) FILTER (WHERE l.model IS NOT NULL), '{}') AS models
FROM migration.llm_usage_log l
