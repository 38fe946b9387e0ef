#!/bin/sh
# Waits for the Temporal frontend, then creates TEMPORAL_NAMESPACE with TEMPORAL_RETENTION if it does not exist
# (compose service temporal-namespace, once per `up`). TLS flags come from TEMPORAL_CLI_TLS_* when set
# (deploy/compose.tls.yml).
set -eu
tls=""
if [ -n "${TEMPORAL_CLI_TLS_CERT:-}" ]; then
    tls="--tls-cert-path $TEMPORAL_CLI_TLS_CERT --tls-key-path $TEMPORAL_CLI_TLS_KEY"
    tls="$tls --tls-ca-path $TEMPORAL_CLI_TLS_CA --tls-server-name ${TEMPORAL_CLI_TLS_SERVER_NAME:-temporal}"
fi
tries=0
# shellcheck disable=SC2086 # $tls is a list of flags
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" $tls >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then
        echo "Temporal at $TEMPORAL_ADDRESS did not answer within 120 s: docker compose logs temporal" >&2
        exit 1
    fi
    sleep 2
done
# shellcheck disable=SC2086
if temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" $tls \
        >/dev/null 2>&1; then
    echo "namespace $TEMPORAL_NAMESPACE exists"
else
    # shellcheck disable=SC2086
    temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$TEMPORAL_RETENTION" \
        --address "$TEMPORAL_ADDRESS" $tls
fi
