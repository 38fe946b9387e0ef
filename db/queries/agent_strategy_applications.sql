-- Applications whose rule-made strategy (the assets' vote) is of low confidence (below $1), never one a person
-- decided; the least sure first, $2 from the $3rd on.
SELECT application_name, asset_count, six_r_strategy, strategy_confidence, strategy_rationale
FROM migration.application_assessments
WHERE strategy_source = 'rule' AND strategy_confidence < $1
ORDER BY strategy_confidence, application_name COLLATE "C"
LIMIT $2 OFFSET $3
