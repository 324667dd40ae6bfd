#!/usr/bin/env bash
# Starts PostgreSQL through the image's own entrypoint, with TLS when STACK_INTERNAL_TLS=on: the server certificate
# stackctl issued from the stack's CA for the name "db" (compose/tls/db, mounted at /stack/tls). PostgreSQL
# wants its key owned by its own user and private, which a read-only bind mount of the host's file cannot be, so the
# key is copied, as root, into the container's own run folder first. Arguments go to postgres.
set -euo pipefail

if [ "${STACK_INTERNAL_TLS:-off}" = on ]; then
  for file in /stack/tls/server.crt /stack/tls/server.key; do
    [ -s "$file" ] || { echo "STACK_INTERNAL_TLS=on but $file is missing: run stackctl up (it issues it)" >&2; exit 1; }
  done
  install -d -o postgres -g postgres -m 0700 /var/run/postgresql/tls
  install -o postgres -g postgres -m 0600 /stack/tls/server.key /var/run/postgresql/tls/server.key
  set -- -c ssl=on -c ssl_cert_file=/stack/tls/server.crt -c ssl_key_file=/var/run/postgresql/tls/server.key \
    -c ssl_min_protocol_version=TLSv1.2 "$@"
fi
exec docker-entrypoint.sh postgres "$@"
