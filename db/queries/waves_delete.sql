-- Drops the engagement's previous wave plan (wave memberships cascade).
DELETE FROM migration.migration_waves
