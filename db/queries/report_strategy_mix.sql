-- Per strategy, the applications that vote for it and the assets recommended it ('undecided': assets
-- without one), in the order of $1 (the vocabulary, then 'undecided').
SELECT strategy, coalesce(apps.n, 0) AS applications, coalesce(assets.n, 0) AS assets
FROM (SELECT six_r_strategy AS strategy, count(*) AS n FROM migration.application_assessments GROUP BY 1) apps
FULL JOIN (SELECT coalesce(six_r_strategy, 'undecided') AS strategy, count(*) AS n
           FROM migration.assets GROUP BY 1) assets USING (strategy)
ORDER BY array_position($1::text[], strategy) NULLS LAST, strategy
