#!/usr/bin/env bash
# The first step of every db node's health check: keeps the node what the primary record (replication.sh) says.
#   A standby: healthy while PostgreSQL answers; drops slots of its own that nothing uses (a slot is kept on the
#     primary; one left from this node's time as a primary would hold its WAL for ever). Exit 3: the rest of the
#     health check (roles, stanza, marker), which writes, is the primary's alone.
#   A standby the record names: promotes itself. That is the last step of a failover, done here as well so that a
#     failover cut short after it wrote the record still ends (stackctl or the agent fenced the old primary first).
#   A primary the record does not name: fences itself, by stopping PostgreSQL (the container restarts as a standby).
#     The agent stops such a container first; this is the guard for one that comes back by another way.
#   The primary: a login and a slot for each other node, pg_hba's replication line, and synchronous_standby_names
#     as SYNC says (on: each commit waits for one standby; off: none waits).
# Exit 0 when the rest of the check may run, 3 when this is a healthy standby, 1 when not ready.
set -Eeuo pipefail
# Its own writes (the login, the slots) never wait for a standby: a promotion runs this while the old primary, the only
# standby there will be, is still down.
export PGOPTIONS="-c synchronous_commit=local"
source /stack/db/replication.sh
read_replication_settings
superuser="${POSTGRES_USER:-postgres}"
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -U "$superuser" -d postgres "$@"; }

# pg_rewind reads the source's timeline from its control file, which a promotion updates only at its next
# checkpoint: an old primary rewound before it would be told "no rewind required" and then never stream.
promote() {
  q -c 'SELECT pg_promote(true, 30)' >/dev/null && q -c 'CHECKPOINT' >/dev/null
}

pg_isready -q -h 127.0.0.1 -U "$superuser" -d postgres || exit 1
primary=$(recorded_primary)
in_recovery=$(q -c 'SELECT pg_is_in_recovery()')

if [ "$in_recovery" = t ] && [ "$primary" = "$DB_NODE" ]; then
  echo "the primary record names this standby: promoting it" >&2
  promote
  # On as the primary: the old one, restarting as a standby, finds its slot at once instead of retrying.
  in_recovery=f
fi
if [ "$in_recovery" = t ]; then
  q -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active" >/dev/null || true
  exit 3
fi

if [ "$primary" != "$DB_NODE" ]; then
  echo "the primary record names $primary, not this node: stopping this primary (it restarts as a standby of $primary)" >&2
  setpriv --reuid=postgres --regid=postgres --init-groups pg_ctl -D "${PGDATA:-/var/lib/postgresql/data}" -m fast stop >&2 || true
  exit 1
fi

hba="${PGDATA:-/var/lib/postgresql/data}/pg_hba.conf"
if ! grep -q "^host replication $REPLICATION_USER " "$hba"; then
  printf '\nhost replication %s all scram-sha-256\n' "$REPLICATION_USER" >>"$hba"
  q -c 'SELECT pg_reload_conf()' >/dev/null
fi

standbys=()
for node in $NODES; do
  [ "$node" = "$DB_NODE" ] || standbys+=("$(slot_of "$node")")
done

replication_password=""
[ ! -s "$DB_REPLICATION_PASSWORD_FILE" ] || replication_password=$(<"$DB_REPLICATION_PASSWORD_FILE")
export REPLICATION_PASSWORD=$replication_password
wanted_sync=""
if [ "$SYNC" = on ] && [ "${#standbys[@]}" -gt 0 ]; then
  wanted_sync="ANY 1 ($(IFS=,; echo "${standbys[*]}"))"
fi
# The login is set when its password changed (a stamp of its hash in the container), not at every check: each ALTER
# ROLE is a write to the catalog.
stamp=/var/run/postgresql/.replication-login
login_state=$(printf '%s' "$replication_password" | sha256sum | cut -c1-32)
export LOGIN_CHANGED=true
[ "$(cat "$stamp" 2>/dev/null)" != "$login_state" ] || LOGIN_CHANGED=false
export WANTED_SYNC=$wanted_sync STANDBY_SLOTS="${standbys[*]}"
# The slots and the waiting first, in a session of their own: nothing below may hold them up, as a standby that cannot
# stream holds every synchronous commit.
q <<'SQL' >/dev/null
\getenv wanted_sync WANTED_SYNC
\getenv slots STANDBY_SLOTS
SET client_min_messages = warning;
SELECT pg_create_physical_replication_slot(slot)
FROM unnest(string_to_array(:'slots', ' ')) AS slot
WHERE slot <> '' AND NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = slot);
-- A node no longer in the stack keeps no WAL here.
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
WHERE NOT active AND slot_type = 'physical' AND NOT slot_name = ANY (string_to_array(:'slots', ' '));
SELECT current_setting('synchronous_standby_names') <> :'wanted_sync' AS sync_changed \gset
\if :sync_changed
ALTER SYSTEM SET synchronous_standby_names = :'wanted_sync';
SELECT pg_reload_conf();
\endif
SQL
# A failover leaves in pg_wal the old timelines' copies of the WAL segment it happened in (a full one and a .partial,
# 16 MB each, per failover), kept until a checkpoint finds that segment done; pg_rewind copies every one of them to the
# next node it rewinds (130 MB after five failovers held a rejoin 4 s). Once every standby streams, and once they are
# archived, the segment is closed and a checkpoint removes them. Archived ones only: without that, a broken archive
# would make every health check a checkpoint.
close_failover_segments() {
  local wal=${PGDATA:-/var/lib/postgresql/data}/pg_wal current archiving name newest="" streaming
  current=$(q -c "SELECT pg_walfile_name(pg_current_wal_lsn())") || return 0
  archiving=$(q -c "SHOW archive_mode") || return 0
  for name in $(ls "$wal"); do
    [[ $name =~ ^[0-9A-F]{24}(\.partial)?$ ]] && [ "${name:0:8}" != "${current:0:8}" ] || continue
    [ "$archiving" = off ] || [ -e "$wal/archive_status/$name.done" ] || continue
    [[ ${name:8:16} > $newest ]] && newest=${name:8:16}
  done
  [ -n "$newest" ] || return 0
  streaming=$(q -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") || return 0
  [ "$streaming" -ge "${#standbys[@]}" ] || return 0
  [ "$newest" != "${current:8:16}" ] || q -c "SELECT pg_switch_wal()" >/dev/null
  # The slots must have moved past that segment too, or the checkpoint keeps it for them.
  for _ in $(seq 20); do
    [ "$(q -c "SELECT count(*) FROM pg_replication_slots
      WHERE restart_lsn IS NOT NULL AND substr(pg_walfile_name(restart_lsn), 9) <= '$newest'")" = 0 ] && break
    sleep 0.1
  done
  q -c 'CHECKPOINT' >/dev/null
}
[ "${#standbys[@]}" = 0 ] || close_failover_segments || true

# The login pg_rewind and the standbys use: replication, and the four functions pg_rewind reads files with. A lock
# held elsewhere is waited for a second at most: the next check tries again.
[ "$LOGIN_CHANGED" = true ] || exit 0
q <<'SQL' >/dev/null
\getenv password REPLICATION_PASSWORD
SELECT :'password' <> '' AS open \gset
SET client_min_messages = warning;
SET lock_timeout = '1s';
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stackctl_replication') THEN
    CREATE ROLE stackctl_replication;
  END IF;
END $$;
\if :open
ALTER ROLE stackctl_replication LOGIN REPLICATION NOSUPERUSER PASSWORD :'password';
GRANT CONNECT ON DATABASE postgres TO stackctl_replication;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_ls_dir(text, boolean, boolean) TO stackctl_replication;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_stat_file(text, boolean) TO stackctl_replication;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_binary_file(text) TO stackctl_replication;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean) TO stackctl_replication;
\else
ALTER ROLE stackctl_replication NOLOGIN NOREPLICATION PASSWORD NULL;
\endif
SQL
echo "$login_state" >"$stamp"
exit 0
