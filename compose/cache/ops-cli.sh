#!/bin/sh
# redis-cli as stackctl_ops (PING, INFO, CLIENT LIST and KILL; no key), for the health check and stackctl's drills.
# The password comes from the environment or a Docker secret's file and reaches redis-cli in REDISCLI_AUTH, never argv.
set -eu
REDISCLI_AUTH=${REDIS_OPS_PASSWORD:-}
if [ -n "${REDIS_OPS_PASSWORD_FILE:-}" ]; then REDISCLI_AUTH=$(cat "$REDIS_OPS_PASSWORD_FILE"); fi
export REDISCLI_AUTH
exec redis-cli --no-auth-warning --user stackctl_ops "$@"
