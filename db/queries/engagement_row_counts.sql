-- The engagement's rows in the tables an inventory fills and a plan and its execution add to (in a tenant
-- transaction: row-level security scopes every count to the engagement).
SELECT (SELECT count(*) FROM migration.raw_import_records) AS raw_records,
       (SELECT count(*) FROM migration.assets) AS assets,
       (SELECT count(*) FROM migration.asset_dependencies) AS dependencies,
       (SELECT count(*) FROM migration.migration_waves) AS waves,
       (SELECT count(*) FROM migration.migration_wave_assets) AS wave_assets,
       (SELECT count(*) FROM migration.assets WHERE migration_status = 'migrated') AS migrated
