#!/bin/sh
# redis-cli as the user named first (cli.sh USER ARGS...), with the password in REDISCLI_AUTH (never argv), over TLS
# against the stack's CA when STACK_INTERNAL_TLS=on (compose/cache/start.sh then serves TLS alone).
set -eu
user=$1
shift
if [ "${STACK_INTERNAL_TLS:-off}" = on ]; then
  exec redis-cli --tls --cacert /stack/tls/ca.crt -h 127.0.0.1 --no-auth-warning --user "$user" "$@"
fi
exec redis-cli --no-auth-warning --user "$user" "$@"
