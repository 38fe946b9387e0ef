-- Drops the roll-ups of applications no asset of the engagement names any more (renamed or re-imported).
-- Each roll-up probes the application paging index (schema 0033) for one of its assets, so the cost stays
-- one index lookup per application whatever the planner's statistics say: right after the step's upserts
-- they are stale, and the planner chose a nested loop that scanned the engagement's assets once per
-- application (at 100,000 assets and 8,300 applications, minutes instead of a tenth of a second).
DELETE FROM migration.application_assessments p
WHERE NOT EXISTS (SELECT FROM migration.assets a
                  WHERE a.engagement_id = p.engagement_id
                    AND md5(a.application_name) = md5(p.application_name)
                    AND btrim(a.application_name) <> ''
                    AND a.application_name = p.application_name)
