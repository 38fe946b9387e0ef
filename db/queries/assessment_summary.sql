-- What the assessment of the engagement's assets came to: the strategy mix, how many a person
-- decided, how many the rules recommended with confidence below $1, the complexity and risk levels,
-- and how many assets each readiness blocker (by its domain.risk.BLOCKERS name) holds back.
SELECT (SELECT coalesce(jsonb_object_agg(strategy, n), '{}'::jsonb)
        FROM (SELECT coalesce(six_r_strategy, 'undecided') AS strategy, count(*) AS n
              FROM migration.assets GROUP BY 1) t) AS strategy_mix,
       (SELECT count(*) FROM migration.assets) AS assessed,
       (SELECT count(*) FROM migration.assets WHERE strategy_source = 'user') AS decided_by_people,
       (SELECT count(*) FROM migration.assets
        WHERE strategy_source = 'rule' AND strategy_confidence < $1) AS low_confidence,
       (SELECT coalesce(jsonb_object_agg(level, n), '{}'::jsonb)
        FROM (SELECT complexity_level AS level, count(*) AS n FROM migration.assets
              WHERE complexity_level IS NOT NULL GROUP BY 1) t) AS complexity_levels,
       (SELECT coalesce(jsonb_object_agg(level, n), '{}'::jsonb)
        FROM (SELECT risk_level AS level, count(*) AS n FROM migration.assets
              WHERE risk_level IS NOT NULL GROUP BY 1) t) AS risk_levels,
       (SELECT coalesce(jsonb_object_agg(blocker, n), '{}'::jsonb)
        FROM (SELECT b.blocker, count(*) AS n
              FROM migration.assets a
              CROSS JOIN LATERAL jsonb_object_keys(
                  coalesce(a.scoring_details #> '{readiness,components}', '{}'::jsonb)) AS b(blocker)
              GROUP BY 1) t) AS readiness_blockers
