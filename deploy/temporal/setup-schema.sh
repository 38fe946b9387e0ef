#!/bin/sh
# Creates or upgrades Temporal's two databases to the schema of this admin-tools image (compose service
# temporal-schema, once per `up`). Idempotent: a database already at the latest version is left as it is.
# Connection from the environment: SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD (and SQL_TLS_* with
# deploy/compose.tls.yml), all read by temporal-sql-tool itself.
set -eu
schemas=/etc/temporal/schema/postgresql/v12

for pair in temporal:temporal temporal_visibility:visibility; do
    database=${pair%%:*}
    versioned="$schemas/${pair##*:}/versioned"
    # `create` fails when the database exists (the role `temporal` owns `temporal` from the first start).
    temporal-sql-tool --db "$database" create 2>/dev/null || echo "database $database exists"
    # An existing schema is upgraded; a new one gets its version table first, then every version.
    if ! temporal-sql-tool --db "$database" update-schema -d "$versioned"; then
        temporal-sql-tool --db "$database" setup-schema -v 0.0
        temporal-sql-tool --db "$database" update-schema -d "$versioned"
    fi
done
echo "Temporal schemas are up to date"
