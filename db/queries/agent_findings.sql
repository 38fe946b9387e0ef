-- The plan critic's findings of master flow $1 (NULL: every one of the engagement's; the critic replaces its
-- earlier findings with each critique), most confident first, at most $2 (NULL: all), each row with how many
-- there are in all. They advise a person; nothing decides by them.
SELECT p.insight_type, p.confidence_score AS confidence, p.pattern_value ->> 'title' AS title,
       p.pattern_value ->> 'detail' AS detail, p.pattern_value -> 'waves' AS waves,
       p.pattern_value -> 'assets' AS assets, p.pattern_value ->> 'model' AS model, p.created_at,
       count(*) OVER () AS total
FROM migration.agent_learning_patterns p
WHERE p.discovered_by = 'plan_critic' AND p.scope = 'engagement' AND ($1::uuid IS NULL OR p.master_flow_id = $1)
ORDER BY p.confidence_score DESC, p.created_at, p.id
LIMIT $2::integer
