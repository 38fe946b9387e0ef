-- Creates (or re-keys) the owner role, which runs migrations and owns every object, and the
-- application role, which every worker and CLI connection uses and which row-level security binds.
-- Passwords arrive as transaction-local settings bootstrap.owner_password / bootstrap.app_password.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'migration_owner') THEN
        CREATE ROLE migration_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'migration_app') THEN
        CREATE ROLE migration_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    EXECUTE format('ALTER ROLE migration_owner PASSWORD %L', current_setting('bootstrap.owner_password'));
    EXECUTE format('ALTER ROLE migration_app PASSWORD %L', current_setting('bootstrap.app_password'));
END
$$;
