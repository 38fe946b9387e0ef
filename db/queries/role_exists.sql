-- Whether a role of this name exists in the server.
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)
