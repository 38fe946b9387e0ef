-- Prepares one database for the schema: extensions (superuser only) and the owner's schema.
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;
CREATE SCHEMA IF NOT EXISTS migration AUTHORIZATION migration_owner;
REVOKE ALL ON SCHEMA migration FROM PUBLIC;
GRANT USAGE ON SCHEMA migration TO migration_app;
