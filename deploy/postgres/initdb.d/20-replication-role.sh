#!/bin/bash
# Runs once, when the postgres container initialises an EMPTY data volume: with REPLICATION_PASSWORD set, creates
# the role `replicator` (REPLICATION) that the compose profile `replica` clones and streams from, and lets it
# connect for replication. Without it, nothing: no replication role exists.
set -euo pipefail
if [ -z "${REPLICATION_PASSWORD:-}" ]; then
    exit 0
fi
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     --set=replication_password="$REPLICATION_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE replicator LOGIN REPLICATION PASSWORD %L', :'replication_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'replicator') \gexec
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
