-- Assets and applications with their decided strategy (the rule's, or a person's with the rule's last
-- recommendation in its rationale) beside the strategy crew's alternative (NULL columns: none).
-- $1 asset id or NULL; $2 name or NULL (assets ignoring case and surrounding spaces, applications likewise);
-- $3 only subjects with an alternative; $4 only alternatives that differ from the decided strategy;
-- $5 at most this many rows (NULL: all). Each row carries how many rows match in all.
WITH subjects AS (
    SELECT 'asset' AS subject_type, a.id AS asset_id, a.name, a.six_r_strategy AS strategy, a.strategy_source,
           a.strategy_confidence, a.strategy_rationale,
           r.strategy AS agent_strategy, r.confidence AS agent_confidence, r.rationale AS agent_rationale,
           r.model AS agent_model, r.source AS agent_source, r.updated_at AS agent_at
    FROM migration.assets a
    LEFT JOIN migration.agent_recommendations r ON r.subject_type = 'asset' AND r.asset_id = a.id
    WHERE (a.id = $1::uuid OR $1::uuid IS NULL)
      AND ($2::text IS NULL OR lower(btrim(a.name)) = lower(btrim($2::text)))
      AND (r.id IS NOT NULL OR NOT $3::boolean)
    UNION ALL
    SELECT 'application', NULL, p.application_name, p.six_r_strategy, p.strategy_source, p.strategy_confidence,
           p.strategy_rationale,
           r.strategy, r.confidence, r.rationale, r.model, r.source, r.updated_at
    FROM migration.application_assessments p
    LEFT JOIN migration.agent_recommendations r
        ON r.subject_type = 'application' AND md5(r.application_name) = md5(p.application_name)
           AND r.application_name = p.application_name
    WHERE $1::uuid IS NULL
      AND ($2::text IS NULL OR lower(btrim(p.application_name)) = lower(btrim($2::text)))
      AND (r.id IS NOT NULL OR NOT $3::boolean)
)
SELECT s.*,
       (SELECT u.email FROM migration.users u
        WHERE s.strategy_source = 'user' AND u.id::text = s.strategy_rationale ->> 'decided_by') AS decided_by_email,
       count(*) OVER () AS total
FROM subjects s
WHERE NOT $4::boolean OR s.agent_strategy IS DISTINCT FROM s.strategy
ORDER BY s.subject_type DESC, lower(s.name), s.name, s.asset_id
LIMIT $5::integer
