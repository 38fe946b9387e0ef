-- Drops the violations and cycles of the engagement's previous plan.
DELETE FROM migration.plan_violations
