#!/usr/bin/env bash
# Starts PostgreSQL through the image's own entrypoint, serving TLS beside plain connections whenever stackctl has
# issued the db's certificate from the stack's CA (compose/tls/db, mounted at /stack/tls): the app then chooses, with
# STACK_INTERNAL_TLS, and switching it rolls the replicas with no restart of the database. PostgreSQL wants its key
# owned by its own user and private, which a read-only bind mount of the host's file cannot be, so the key is copied,
# as root, into the container's own run folder first. Arguments go to postgres.
set -euo pipefail

pgdata=${PGDATA:-/var/lib/postgresql/data}
# A volume that is a filesystem of its own (DB_VOLUME_DEVICE) has lost+found at its root, where initdb and a standby's
# clone want an empty directory: an empty lost+found goes (e2fsck makes it again when it needs one).
if [ ! -e "$pgdata/PG_VERSION" ] && [ -d "$pgdata/lost+found" ]; then
  rmdir "$pgdata/lost+found" 2>/dev/null || true
fi
# A full data volume: PostgreSQL cannot even finish its crash recovery (it writes WAL and a checkpoint), and exiting
# would hand the restart to Docker, whose delay doubles with each failure (up to a minute). So it waits here, saying
# why, and starts within a second of the space returning. A fill `drill disk-full` left past its time (the host went
# down mid-drill, before its helper could remove it) goes.
need_kb=$((64 * 1024))
waited=0
while :; do
  for fill in "$pgdata"/.stackctl-disk-full.*; do
    [ -e "$fill" ] && [ "${fill##*.}" -le "$(date +%s)" ] && rm -f "$fill" && echo "removed $fill, left by a disk-full drill past its time" >&2
  done
  free_kb=$(df -Pk "$pgdata" 2>/dev/null | awk 'NR == 2 { print $4 }')
  # unmeasured (no df, an odd filesystem): start, as before this wait
  [[ "$free_kb" =~ ^[0-9]+$ ]] && [ "$free_kb" -lt "$need_kb" ] || break
  if [ $((waited % 10)) -eq 0 ]; then
    echo "waiting for space: $((free_kb / 1024)) MB free on $pgdata, PostgreSQL needs $((need_kb / 1024)) MB to start safely; free some or grow the volume" >&2
  fi
  sleep 1
  waited=$((waited + 1))
done
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
# Replication: every node can serve WAL to a standby and be rewound (wal_log_hints) after a failover; a slot's hold on
# WAL is bounded so a standby gone for long cannot fill the primary's disk (it is cloned anew instead). No spare WAL
# segments: pg_rewind copies the new primary's whole pg_wal, and 300 MB of it held a rejoin 5 s; min_wal_size alone
# was not enough (a checkpoint keeps as many recycled segments as its distance estimate says, 230 MB here), so old
# segments are removed, not recycled, and new ones made as needed (16 MB each, a few ms). A backend
# whose client has gone (the app gave up on a commit waiting for the synchronous standby) ends within a second.
set -- -c wal_log_hints=on -c max_wal_senders=10 -c max_replication_slots=10 -c hot_standby=on \
  -c "max_slot_wal_keep_size=${MAX_SLOT_WAL_KEEP_SIZE:-2GB}" -c min_wal_size=48MB -c wal_recycle=off -c wal_keep_size=0 -c "cluster_name=${DB_NODE:-db}" \
  -c client_connection_check_interval=1s "$@"
source /stack/db/replication.sh
# In the file as well: pg_rewind's crash recovery of a killed primary runs postgres without these options, and its
# checkpoint would record wal_log_hints as off, which pg_rewind then refuses.
ensure_rewindable
# postgres' own home: libpq looks there for client certificates (under /root it is refused a permission).
export HOME=/var/lib/postgresql
primary=$(recorded_primary)
if [ "$primary" != "${DB_NODE:-db}" ]; then
  standby_options=$(prepare_standby "$primary") || exit 1
  mapfile -t standby_options <<<"$standby_options"
  set -- "${standby_options[@]}" "$@"
  # The WAL comes from the primary alone, held for this standby by its slot: no restore_command, as a standby asks
  # the archive for each next segment before it looks for a promotion, and that delayed one by 5 s.
else
  # The record names this node: a standby.signal left here is a promotion that a failover began and never finished.
  rm -f "${PGDATA:-/var/lib/postgresql/data}/standby.signal"
fi
exec docker-entrypoint.sh postgres "$@"
