#!/bin/bash
# The compose profile `replica`: on an empty volume, clone the primary with pg_basebackup (a physical replication
# slot `replica`, standby settings written by -R), then run as a hot standby that streams from it. Runs as the
# image's postgres user. The primary's role `replicator` comes from deploy/postgres/initdb.d/20-replication-role.sh.
set -euo pipefail
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD in .env (before the primary's first start) for the replica profile}"
export PGDATA=/var/lib/postgresql/data PGPASSWORD="$REPLICATION_PASSWORD"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    # the slot may be left from an earlier replica volume: reuse it then
    pg_basebackup --host "$PRIMARY_HOST" --username replicator --pgdata "$PGDATA" --wal-method stream \
        --write-recovery-conf --slot replica --create-slot \
      || { rm -rf "${PGDATA:?}"/*; pg_basebackup --host "$PRIMARY_HOST" --username replicator --pgdata "$PGDATA" --wal-method stream \
        --write-recovery-conf --slot replica; }
    chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on "$@"   # more settings from the command (deploy/compose.tls.yml)
