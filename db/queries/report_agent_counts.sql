-- What the crews wrote that is counted, not listed: column mappings the mapping crew suggested (source 'llm')
-- and how many of them a person approved as suggested (a person's correction makes the row their own, source
-- 'user'); the strategy crew's alternatives, agreeing with the decided strategy or not.
SELECT (SELECT count(*) FROM migration.import_field_mappings m WHERE m.source = 'llm') AS mappings_suggested,
       (SELECT count(*) FROM migration.import_field_mappings m
        WHERE m.source = 'llm' AND m.status = 'approved') AS mappings_approved,
       (SELECT count(*) FROM migration.agent_recommendations) AS alternatives
