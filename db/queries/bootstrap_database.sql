-- Prepares one database for the schema: extensions (superuser only) and the owner's schema.
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;
-- A database made by older binaries (pgserver 0.1.4's pgvector 0.6.2) moves to the installed pgvector
-- (>= 0.8: iterative index scans); a no-op once it is current.
ALTER EXTENSION vector UPDATE;
CREATE SCHEMA IF NOT EXISTS migration AUTHORIZATION migration_owner;
REVOKE ALL ON SCHEMA migration FROM PUBLIC;
GRANT USAGE ON SCHEMA migration TO migration_app;
