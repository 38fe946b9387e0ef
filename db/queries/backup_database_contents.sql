-- What a restore target is: whether `db bootstrap` made the platform's schema, and whether it has its tables
-- (migrated).
SELECT to_regnamespace('migration') IS NOT NULL AS bootstrapped,
       to_regclass('migration.schema_migrations') IS NOT NULL AS migrated
