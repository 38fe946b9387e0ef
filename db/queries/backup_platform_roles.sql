-- The platform's roles `db bootstrap` creates that this server lacks (a restore needs every one of them).
SELECT r.name
  FROM unnest(ARRAY['migration_owner', 'migration_app', 'migration_person', 'migration_admin', 'migration_people'])
       AS r(name)
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.name)
 ORDER BY r.name
