-- Drops the roll-ups of applications no asset of the engagement names any more (renamed or re-imported).
DELETE FROM migration.application_assessments p
WHERE NOT EXISTS (SELECT FROM migration.assets a WHERE a.application_name = p.application_name)
