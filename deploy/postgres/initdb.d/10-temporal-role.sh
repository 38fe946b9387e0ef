#!/bin/bash
# Runs once, when the postgres container initialises an EMPTY data volume (docker-entrypoint-initdb.d):
# creates the role `temporal` and its database `temporal` for Temporal; the compose service temporal-schema
# creates `temporal_visibility` itself (hence CREATEDB). The platform's own roles and database are made by
# `starter.py db bootstrap` (the compose service `migrate`), not here.
set -euo pipefail
: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD must be set for the postgres service}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     --set=temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE temporal LOGIN CREATEDB PASSWORD %L', :'temporal_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'temporal') \gexec
SELECT 'CREATE DATABASE temporal OWNER temporal'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'temporal') \gexec
SQL
