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

-- People: every person has a LOGIN role of their own, a member of migration_person (NOLOGIN), which
-- row-level security restricts to the engagements the person is a member of. Person logins are created by
-- migration.create_person_login (0024), a function owned by migration_people, the only role with CREATEROLE:
-- on PostgreSQL 16 and later a CREATEROLE role manages only the roles it created, so it can never alter the
-- service roles or a person it did not make. Platform administrators are persons granted migration_admin.
-- The owner may SET ROLE migration_people, only to hand the function to it while migrating.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'migration_person') THEN
        CREATE ROLE migration_person NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'migration_admin') THEN
        CREATE ROLE migration_admin NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'migration_people') THEN
        CREATE ROLE migration_people NOLOGIN NOSUPERUSER NOCREATEDB CREATEROLE NOBYPASSRLS;
    END IF;
END
$$;
GRANT migration_person TO migration_people WITH ADMIN OPTION;
GRANT migration_admin TO migration_people WITH ADMIN OPTION;
GRANT migration_people TO migration_owner;
