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
# stackctl generates into compose/.env (BACKUP_CIPHER_PASS) and writes to compose/secrets/db/backup-cipher-pass. The
# configuration is written here, as root, readable by root and postgres alone, since it holds that key. Without the
# key (a database run by hand), PostgreSQL starts with archiving off, and `stackctl health` says so.
cipher_file=${BACKUP_CIPHER_PASS_FILE:-/run/stack-secrets/backup-cipher-pass}
if command -v pgbackrest >/dev/null && [ -s "$cipher_file" ]; then
  conf=/etc/pgbackrest/pgbackrest.conf
  install -d -o root -g postgres -m 0750 /etc/pgbackrest
  install -o root -g postgres -m 0640 /dev/null "$conf.next"
  cat >"$conf.next" <<EOF
[global]
repo1-path=/var/lib/pgbackrest
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$(<"$cipher_file")
repo1-retention-full-type=time
repo1-retention-full=${BACKUP_RETENTION_DAYS:-14}
archive-async=y
spool-path=/var/spool/pgbackrest
process-max=2
compress-type=zst
start-fast=y
log-path=/var/log/pgbackrest
log-level-console=warn
log-level-file=info

[stack]
pg1-path=${PGDATA:-/var/lib/postgresql/data}
pg1-socket-path=/var/run/postgresql
pg1-user=${POSTGRES_USER:-postgres}
EOF
  mv -f "$conf.next" "$conf"
  install -d -o postgres -g postgres -m 0750 /var/lib/pgbackrest /var/spool/pgbackrest /var/log/pgbackrest
  set -- -c archive_mode=on -c 'archive_command=pgbackrest --stanza=stack archive-push %p' \
    -c "archive_timeout=${ARCHIVE_TIMEOUT:-60s}" "$@"
else
  echo "WAL archiving is off: no pgbackrest in this image or no key in $cipher_file (stackctl up writes it)" >&2
fi
exec docker-entrypoint.sh postgres "$@"
