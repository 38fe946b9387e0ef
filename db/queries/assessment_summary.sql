-- Strategy mix and totals of the engagement's assessed assets.
SELECT coalesce(jsonb_object_agg(strategy, n), '{}'::jsonb) AS strategy_mix,
       sum(n) AS assessed
FROM (SELECT coalesce(six_r_strategy, 'undecided') AS strategy, count(*) AS n
      FROM migration.assets GROUP BY 1) t
