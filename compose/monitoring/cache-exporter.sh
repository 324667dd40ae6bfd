#!/usr/bin/env bash
# Redis' exporter for the monitoring profile, as stackctl_ops (PING and INFO, no key): INFO is all it needs for
# redis_up, memory, clients and rejected connections, and it names no client (CLIENT SETNAME, which the user may not
# run, logged an error at every scrape). The password is read from its file (compose/secrets/monitoring/
# cache-password) into this process alone: not in the container's environment, where docker inspect would show it.
set -euo pipefail
export REDIS_USER=stackctl_ops
REDIS_PASSWORD="$(</run/stack-secrets/cache-password)"
export REDIS_PASSWORD
if [ "${INTERNAL_TLS:-off}" = on ]; then
  exec prometheus-redis-exporter --redis.addr=rediss://cache:6380 --tls-ca-cert-file=/run/stack-tls/ca.crt \
    --web.listen-address=:9121 --log-format=json --set-client-name=false
fi
exec prometheus-redis-exporter --redis.addr=redis://cache:6379 --web.listen-address=:9121 --log-format=json \
  --set-client-name=false
