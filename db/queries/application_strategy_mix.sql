-- How many applications of the engagement have each strategy.
SELECT coalesce(jsonb_object_agg(six_r_strategy, n), '{}'::jsonb) AS strategy_mix, coalesce(sum(n), 0) AS applications
FROM (SELECT six_r_strategy, count(*) AS n FROM migration.application_assessments GROUP BY 1) t
