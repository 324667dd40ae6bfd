#!/usr/bin/env bash
# The db nodes' streaming replication, sourced by start.sh (as root, before PostgreSQL starts) and by
# ensure-replication.sh (the health check). Every node runs the same image and the same scripts; which one is the
# primary is written in one place, the record $DB_PRIMARY_FILE (compose/state/db/primary, mounted read-only here),
# which only a failover changes: `stackctl failover` or the upstream agent's watcher writes it before it promotes a
# standby, and fences the old primary (stops its container) first. A node reads it at each start:
#   named in it (or no record and this is "db", the node that founds the cluster): starts as the primary;
#   not named: starts as a standby of the node named. An empty data volume is cloned from it (pg_basebackup); a
#   volume that was a primary (no standby.signal: the old primary after a failover) is first rewound to the point
#   where the timelines split (pg_rewind), or cloned anew when that fails, so its writes after the split, which no
#   client can have had acknowledged in synchronous mode, never come back.
# Which nodes exist and whether commits wait for a standby: $DB_REPLICATION_FILE (compose/secrets/db/replication,
# written by stackctl from compose/.env: NODES="db db-standby" SYNC=on|off). Its login: stackctl_replication, with the
# password in $DB_REPLICATION_PASSWORD_FILE.

DB_NODE=${DB_NODE:-db}
DB_PRIMARY_FILE=${DB_PRIMARY_FILE:-/stack/db-state/primary}
DB_REPLICATION_FILE=${DB_REPLICATION_FILE:-/run/stack-secrets/replication}
DB_REPLICATION_PASSWORD_FILE=${DB_REPLICATION_PASSWORD_FILE:-/run/stack-secrets/replication-password}
REPLICATION_USER=stackctl_replication
# A copy the postgres user owns (libpq refuses a password file others can read), for the WAL receiver and pg_rewind.
REPLICATION_PASSFILE=/var/run/postgresql/.replication-pgpass

# The node the record names, or "db" while there is none (no failover has ever happened).
recorded_primary() {
  local name
  name=$(tr -d '[:space:]' <"$DB_PRIMARY_FILE" 2>/dev/null || true)
  echo "${name:-db}"
}

# NODES and SYNC from the replication file; one node and no waiting without it (a stack with no standby).
read_replication_settings() {
  NODES=db SYNC=off
  if [ -r "$DB_REPLICATION_FILE" ]; then
    # shellcheck disable=SC1090
    source "$DB_REPLICATION_FILE"
  fi
  NODES=${NODES:-db} SYNC=${SYNC:-off}
}

# A node's replication slot and application name: PostgreSQL allows [a-z0-9_] alone.
slot_of() { echo "${1//-/_}"; }

write_replication_passfile() {
  [ -s "$DB_REPLICATION_PASSWORD_FILE" ] || return 1
  install -o postgres -g postgres -m 0600 /dev/null "$REPLICATION_PASSFILE"
  printf '*:*:*:%s:%s\n' "$REPLICATION_USER" "$(<"$DB_REPLICATION_PASSWORD_FILE")" >"$REPLICATION_PASSFILE"
}

as_postgres() { HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

ensure_rewindable() {
  local conf=${PGDATA:-/var/lib/postgresql/data}/postgresql.conf
  [ -s "$conf" ] || return 0
  if ! grep -q '^wal_log_hints = on' "$conf"; then
    printf '\n# pg_rewind needs it (compose/db/replication.sh)\nwal_log_hints = on\n' >>"$conf"
  fi
  # pg_rewind's crash recovery of a killed primary, which reads this file alone, ends with a checkpoint that removed
  # the WAL back to where the timelines split, which pg_rewind then reads: the rewind failed, and a full clone took
  # its place. Kept there only: start.sh sets 0 for the server itself.
  if ! grep -q '^wal_keep_size = ' "$conf"; then
    printf '\n# pg_rewind needs it (compose/db/replication.sh)\nwal_keep_size = 1GB\n' >>"$conf"
  fi
}

# Waits up to $2 seconds for $1 to answer as a primary (not in hot standby). Over a replication connection, which
# takes a WAL sender's slot, not one of max_connections: a primary whose clients hold every slot still answers.
wait_for_primary() {
  local host=$1 deadline=$(($(date +%s) + $2))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ "$(PGPASSFILE=$REPLICATION_PASSFILE PGCONNECT_TIMEOUT=2 as_postgres psql -X -A -t \
      "host=$host user=$REPLICATION_USER dbname=postgres replication=true" -c 'SHOW in_hot_standby' 2>/dev/null)" = off ]; then
      return 0
    fi
    sleep 0.3
  done
  return 1
}

# Makes $PGDATA a standby of $1: cloned when empty, rewound when it was a primary; prints the postgres options that
# make it stream from $1 on its own slot.
prepare_standby() {
  local primary=$1 pgdata=${PGDATA:-/var/lib/postgresql/data}
  write_replication_passfile || {
    echo "this node is a standby of $primary but has no replication password in $DB_REPLICATION_PASSWORD_FILE (stackctl up writes it)" >&2
    return 1
  }
  if [ ! -s "$pgdata/PG_VERSION" ]; then
    # Nothing to start from but the primary: wait for it (bounded; the restart policy tries again).
    wait_for_primary "$primary" 120 || { echo "no primary answers at $primary: cannot clone this standby" >&2; return 1; }
    echo "cloning this standby from $primary (pg_basebackup)" >&2
    find "$pgdata" -mindepth 1 -delete
    PGPASSFILE=$REPLICATION_PASSFILE as_postgres pg_basebackup -h "$primary" -U "$REPLICATION_USER" -D "$pgdata" \
      -X stream -c fast --no-password >&2 || return 1
  elif [ ! -e "$pgdata/standby.signal" ]; then
    # It was a primary: another node was promoted since. Its own writes after the split are not the cluster's.
    if wait_for_primary "$primary" 60; then
      echo "this node was a primary; $primary is now: rewinding to its timeline (pg_rewind)" >&2
      if ! PGPASSFILE=$REPLICATION_PASSFILE as_postgres pg_rewind --target-pgdata="$pgdata" \
        --source-server="host=$primary user=$REPLICATION_USER dbname=postgres connect_timeout=5" --progress >&2; then
        echo "pg_rewind failed: cloning this node from $primary instead" >&2
        find "$pgdata" -mindepth 1 -delete
        PGPASSFILE=$REPLICATION_PASSFILE as_postgres pg_basebackup -h "$primary" -U "$REPLICATION_USER" \
          -D "$pgdata" -X stream -c fast --no-password >&2 || return 1
      fi
    else
      # Never start a demoted primary as a primary, nor as a standby it cannot be until rewound: it stays down, and
      # the restart policy tries again, until the primary answers or a failover names this node again.
      echo "this node was a primary and $primary, the primary now, does not answer: not starting (stackctl failover --to $DB_NODE makes this one the primary again)" >&2
      return 1
    fi
  fi
  # A primary restored to a point in time keeps pgBackRest's recovery settings in postgresql.auto.conf, and a clone or
  # a rewind copies that file: a standby with them stops at that old target, or does not start at all (CI cloned one
  # after a restore --to-time, and it never answered).
  if [ -f "$pgdata/postgresql.auto.conf" ]; then
    as_postgres sed -i -E '/^[[:space:]]*(restore_command|recovery_target[a-z_]*)[[:space:]]*=/d' "$pgdata/postgresql.auto.conf"
  fi
  as_postgres touch "$pgdata/standby.signal"
  # One argument a line, for mapfile: "-c", then name=value (which holds spaces).
  printf '%s\n' -c "primary_conninfo=host=$primary user=$REPLICATION_USER passfile=$REPLICATION_PASSFILE application_name=$(slot_of "$DB_NODE") connect_timeout=2 keepalives_idle=5 keepalives_interval=2 keepalives_count=2" \
    -c "primary_slot_name=$(slot_of "$DB_NODE")" -c recovery_target_timeline=latest \
    -c wal_retrieve_retry_interval=1s
}
