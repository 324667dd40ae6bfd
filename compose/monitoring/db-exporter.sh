#!/usr/bin/env bash
# PostgreSQL's exporter for the monitoring profile: it logs in as stackctl_monitor (pg_monitor and CONNECT, nothing
# else; compose/db/ensure-roles.sh keeps the role so), with the password from the file stackctl writes
# (compose/secrets/monitoring/db-password), over TLS checked against the stack's CA when STACK_INTERNAL_TLS is on.
set -euo pipefail
sslmode="sslmode=disable"
if [ "${INTERNAL_TLS:-off}" = on ]; then
  sslmode="sslmode=verify-full&sslrootcert=/run/stack-tls/ca.crt"
fi
export DATA_SOURCE_URI="db:5432/${DB_NAME:-taskmanager}?${sslmode}&connect_timeout=3"
export DATA_SOURCE_USER=stackctl_monitor
export DATA_SOURCE_PASS_FILE=/run/stack-secrets/db-password
exec prometheus-postgres-exporter --web.listen-address=:9187 --log.format=json
