#!/usr/bin/env bash
# Starts PostgreSQL through the image's own entrypoint, serving TLS beside plain connections whenever stackctl has
# issued the db's certificate from the stack's CA (compose/tls/db, mounted at /stack/tls): the app then chooses, with
# STACK_INTERNAL_TLS, and switching it rolls the replicas with no restart of the database. PostgreSQL wants its key
# owned by its own user and private, which a read-only bind mount of the host's file cannot be, so the key is copied,
# as root, into the container's own run folder first. Arguments go to postgres.
set -euo pipefail

if [ -s /stack/tls/server.crt ] && [ -s /stack/tls/server.key ]; then
  install -d -o postgres -g postgres -m 0700 /var/run/postgresql/tls
  install -o postgres -g postgres -m 0600 /stack/tls/server.key /var/run/postgresql/tls/server.key
  set -- -c ssl=on -c ssl_cert_file=/stack/tls/server.crt -c ssl_key_file=/var/run/postgresql/tls/server.key \
    -c ssl_min_protocol_version=TLSv1.2 "$@"
fi
# Continuous WAL archiving into pgBackRest's repository (its own volume, /var/lib/pgbackrest), encrypted with the key
# stackctl generates into compose/.env (pgbackrest-conf.sh). Without the key (a database run by hand), PostgreSQL
# starts with archiving off, and `stackctl health` says so.
if [ -r /stack/db/pgbackrest-conf.sh ] && source /stack/db/pgbackrest-conf.sh && write_pgbackrest_conf; then
  set -- -c archive_mode=on -c 'archive_command=pgbackrest --stanza=stack archive-push %p' \
    -c "archive_timeout=${ARCHIVE_TIMEOUT:-60s}" "$@"
else
  echo "WAL archiving is off: no pgbackrest in this image or no key in ${BACKUP_CIPHER_PASS_FILE:-/run/stack-secrets/backup-cipher-pass} (stackctl up writes it)" >&2
fi
exec docker-entrypoint.sh postgres "$@"
