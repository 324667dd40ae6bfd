#!/usr/bin/env bash
# The db service's health check. ensure-replication.sh first: a standby is healthy once it answers, and its role is
# what the primary record says; the primary then makes the app's logins so (and keeps them so), which is why the app,
# waiting for this, never meets a database without them; then pgBackRest's stanza and, once a minute, the marker row
# `backups prove` checks restores against (neither fails the check).
#
# That full pass costs about a second of CPU (a dozen psql sessions, password logins over TLS), and the engine runs
# the check every 5 s: on a 2-core host it was a tenth of the machine, all the time. So a pass that found everything
# in order leaves a stamp: what it read (the secrets, the primary record, pg_hba.conf, pgBackRest's settings) and what
# it left (one query's digest of the roles, their passwords and grants, who owns the app's schema, the slots, the
# replication settings, when PostgreSQL started). A check that finds both unchanged runs no full pass, only that one
# query; anything changed, by stackctl, a failover or a hand at a console, and the full pass runs at once. A full
# pass runs at least once a minute whatever the digest says.
set -uo pipefail
# Its own writes (roles, the marker) never wait for a standby: with REPLICAS_SYNC=on and none answering, they would
# hold the check, and the app the check gates, for as long as the standby is away.
export PGOPTIONS="-c synchronous_commit=local"
stamp=/var/run/postgresql/.health-settled
full_every=60

# Everything the ensure scripts read: their files' sizes, times (to the nanosecond) and inodes (stackctl replaces a
# file by renaming a new one over it), and whether pgBackRest's stanza exists. One stat, no hashing: this runs at
# every check. The environment is fixed for the container's life.
inputs() {
  local files=("${APP_DB_LOGINS_FILE:-/run/stack-secrets/app-logins}"
    "${MONITOR_PASSWORD_FILE:-/run/stack-secrets/monitor-password}" "${DB_REPLICATION_FILE:-/run/stack-secrets/replication}"
    "${DB_REPLICATION_PASSWORD_FILE:-/run/stack-secrets/replication-password}" "${DB_PRIMARY_FILE:-/stack/db-state/primary}"
    "${PGDATA:-/var/lib/postgresql/data}/pg_hba.conf" /etc/pgbackrest/pgbackrest.conf
    /var/spool/pgbackrest/stanza-repositories /var/lib/pgbackrest/archive/stack/archive.info)
  [ -z "${APP_DB_PASSWORD_FILE:-}" ] || files+=("$APP_DB_PASSWORD_FILE")
  stat -L -c '%n %s %y %i' "${files[@]}" 2>/dev/null | tr '\n' ' '
}

# What the full pass makes so, in one session over the socket, and whether this node is in recovery (a standby): "digest
# true|false". A role missing fails the casts: then nothing is printed, and the full pass runs.
settled() {
  psql -X -A -t -q -v ON_ERROR_STOP=1 -U "${POSTGRES_USER:-postgres}" -d "${POSTGRES_DB:-${POSTGRES_USER:-postgres}}" \
    2>/dev/null <<'SQL'
SELECT md5(concat_ws('|',
  pg_postmaster_start_time(), pg_is_in_recovery(), current_setting('synchronous_standby_names'),
  (SELECT string_agg(concat_ws(',', rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
                               rolreplication, rolbypassrls, md5(coalesce(rolpassword, ''))), ';' ORDER BY rolname)
   FROM pg_authid WHERE rolname LIKE 'taskmanager%' OR rolname LIKE 'stackctl%'),
  (SELECT string_agg(concat_ws(',', roleid::regrole, member::regrole, admin_option), ';' ORDER BY 1) FROM pg_auth_members),
  (SELECT string_agg(concat_ws(',', setdatabase, setrole::regrole, setconfig), ';' ORDER BY 1) FROM pg_db_role_setting),
  (SELECT string_agg(concat_ws(',', datname, datacl), ';' ORDER BY datname) FROM pg_database),
  (SELECT string_agg(concat_ws(',', oid::regprocedure, proacl), ';' ORDER BY 1) FROM pg_proc
   WHERE proname IN ('pg_ls_dir', 'pg_stat_file', 'pg_read_binary_file')),
  (SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'public'),
  (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relowner <> 'taskmanager_app'::regrole),
  (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proowner <> 'taskmanager_app'::regrole),
  (SELECT count(*) FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typowner <> 'taskmanager_app'::regrole),
  (SELECT string_agg(concat_ws(',', slot_name, active), ';' ORDER BY slot_name) FROM pg_replication_slots),
  (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'))) || ' ' || pg_is_in_recovery()
SQL
}

# stamp_with INPUTS: records the pass, unless pgBackRest's stanza is still to make (ensure-stanza.sh's flag). The
# inputs are those read before it began: a file changed while it ran then differs at the next check, which runs the
# full pass again.
stamp_with() {
  local now
  [ ! -e /var/run/postgresql/.stanza-pending ] || return 0
  now=$(settled) && [ -n "$now" ] && (umask 077 && echo "$1 $now" >"$stamp")
}

if [ -s "$stamp" ] && [ $(( $(date +%s) - $(stat -c %Y "$stamp") )) -lt "$full_every" ]; then
  now=$(settled)
  if [ -n "$now" ] && [ "$(inputs) $now" = "$(cat "$stamp")" ]; then
    # The marker is the primary's, due once a minute: ensure-marker.sh's own stamp makes it a stat when not due.
    [ "${now##* }" = true ] || bash /stack/db/ensure-marker.sh
    exit 0
  fi
fi

rm -f "$stamp"
read_before=$(inputs)
bash /stack/db/ensure-replication.sh
case $? in
  0) ;;
  3) stamp_with "$read_before"; exit 0 ;;
  *) exit 1 ;;
esac
bash /stack/db/ensure-roles.sh && bash /stack/db/ensure-stanza.sh && bash /stack/db/ensure-marker.sh || exit 1
stamp_with "$read_before"
exit 0
