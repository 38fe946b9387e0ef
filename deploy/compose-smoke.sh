#!/usr/bin/env bash
# docker-compose.yml on a machine with a Docker engine (CI runs this): `config -q`, then the whole stack up
# (image built, schemas set up, namespace created, workers started) with `up --wait`, its state, and `down -v`.
# Where no Docker engine or no compose plugin answers it says so and exits 0: tests/test_compose.py validates the
# files everywhere. Passwords are generated for the run; ports are free ones, so nothing else on the host clashes.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! docker info >/dev/null 2>&1; then
    echo "compose smoke skipped: no Docker engine answers (docker info)"
    exit 0
fi
if ! docker compose version >/dev/null 2>&1; then
    echo "compose smoke skipped: the docker CLI has no compose plugin"
    exit 0
fi
env_file=$(mktemp)
project=migration-platform-smoke
compose() { docker compose -p "$project" --env-file "$env_file" "$@"; }
cleanup() { compose down -v --remove-orphans >/dev/null 2>&1 || true; rm -f "$env_file"; }
trap cleanup EXIT
for name in POSTGRES_PASSWORD TEMPORAL_DB_PASSWORD MIGRATION_OWNER_PASSWORD MIGRATION_APP_PASSWORD; do
    echo "$name=$(openssl rand -hex 16)"
done >"$env_file"
python3 - >>"$env_file" <<'PY'
import socket
for name in ("POSTGRES_PUBLISHED_PORT", "TEMPORAL_PUBLISHED_PORT", "TEMPORAL_UI_PUBLISHED_PORT"):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        print(f"{name}={sock.getsockname()[1]}")
PY
compose config -q
compose -f docker-compose.yml -f deploy/compose.tls.yml config -q
if ! compose up -d --build --wait --wait-timeout 900; then
    compose ps -a
    compose logs --tail 50
    exit 1
fi
compose ps -a
# the worker roles each run, and the CLI answers against the stack
[ "$(compose ps -q worker-workflows | wc -l)" -ge 1 ] && [ "$(compose ps -q worker-activities | wc -l)" -ge 1 ]
compose run --rm cli --help >/dev/null
echo "compose smoke passed"
