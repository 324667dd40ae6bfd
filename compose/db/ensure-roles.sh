#!/usr/bin/env bash
# Least privilege for the stack's database, made so and kept so. The db service's health check (health.sh) runs this
# at the start and whenever the roles, grants or owners it keeps differ from what its last run left, so the app (which
# starts once db is healthy) never logs in as the superuser, a volume made by an older stackctl is converted at its
# first start, and a role someone dropped or changed comes back by itself within an interval.
#
#   taskmanager_app    owns the public schema of the stack's database and every object in it, and nothing else (no
#                      superuser, no CREATEDB, no CREATEROLE; CONNECT to this database only); the app's login.
#   taskmanager_app_2  the app's other login, for `stackctl secrets rotate db`: the app's replicas move from one
#                      login to the other with a new password, one replica at a time, and then the old login is
#                      closed. A member of taskmanager_app that acts as it (SET role at login), so what it creates
#                      belongs to taskmanager_app as well. No privilege of its own.
#   stackctl_ops       stackctl's operations, over the container's socket (docker exec) only, as it has no password:
#                      reads everything for a dump (pg_read_all_data), sees sessions (pg_monitor), stops its own
#                      restore, creates the scratch database a verify restores into (CREATEDB), and, as a member of
#                      taskmanager_app, replaces the schema in a restore, leaving the app as owner of what it made.
#   stackctl_monitor   the monitoring profile's PostgreSQL exporter: pg_monitor and CONNECT, nothing else. Its login
#                      is open while $MONITOR_PASSWORD_FILE (compose/secrets/db/monitor-password, which stackctl writes
#                      while the profile is on) holds a password, and closed (NOLOGIN, no password) otherwise.
#   POSTGRES_USER      the superuser, for this script and for an operator at a console; no service uses it.
#
# Which logins are open, with which password: "role password" lines in $APP_DB_LOGINS_FILE
# (compose/secrets/db/app-logins, which stackctl writes: one line, two while a rotation is under way), or
# taskmanager_app with the password in $APP_DB_PASSWORD_FILE (a Docker secret on Swarm) or $APP_DB_PASSWORD.
# Every login the file does not name is closed (NOLOGIN, no password).
#
# Exit 0 when each open login logs in with its password and the roles are as above; 1 otherwise (not ready yet).
set -Eeuo pipefail

# One run at a time, from reading the logins file to the last statement: a health check that read the file just
# before a rotation rewrote it would otherwise apply the old file after the rotation's own run, and open the login
# the rotation had just closed. (The advisory lock below serializes the statements, not the reading.)
exec 9>>/var/run/postgresql/.ensure-roles.lock
flock -w 8 9 || { echo "another ensure-roles.sh run held its lock for 8 s" >&2; exit 1; }

db="${POSTGRES_DB:-${POSTGRES_USER:-postgres}}"
superuser="${POSTGRES_USER:-postgres}"
logins_file="${APP_DB_LOGINS_FILE:-/run/stack-secrets/app-logins}"
declare -A password=()
if [ -z "${APP_DB_PASSWORD_FILE:-}" ] && [ -s "$logins_file" ]; then
  while read -r role secret; do
    [ -n "$role" ] || continue
    case "$role" in
      taskmanager_app | taskmanager_app_2) ;;
      *) echo "$logins_file names '$role': only taskmanager_app and taskmanager_app_2 are the app's logins" >&2; exit 1 ;;
    esac
    [ -n "$secret" ] || { echo "$logins_file gives $role no password" >&2; exit 1; }
    password[$role]=$secret
  done <"$logins_file"
else
  if [ -n "${APP_DB_PASSWORD_FILE:-}" ]; then
    APP_DB_PASSWORD="$(<"$APP_DB_PASSWORD_FILE")"
  fi
  [ -z "${APP_DB_PASSWORD:-}" ] || password[taskmanager_app]=$APP_DB_PASSWORD
fi
if [ "${#password[@]}" = 0 ]; then
  echo "no password for the app's database login: $logins_file is missing (run stackctl up: it writes it from compose/.env)" >&2
  exit 1
fi
export APP_LOGIN_1_PASSWORD="${password[taskmanager_app]:-}" APP_LOGIN_2_PASSWORD="${password[taskmanager_app_2]:-}"
monitor_file="${MONITOR_PASSWORD_FILE:-/run/stack-secrets/monitor-password}"
MONITOR_LOGIN_PASSWORD=""
[ ! -s "$monitor_file" ] || MONITOR_LOGIN_PASSWORD="$(<"$monitor_file")"
export MONITOR_LOGIN_PASSWORD
monitor_open=false
[ -z "$MONITOR_LOGIN_PASSWORD" ] || monitor_open=true
open_logins=$(printf '%s\n' "${!password[@]}" | sort | paste -sd, -)

pg_isready -q -h 127.0.0.1 -U "$superuser" -d "$db" || exit 1

# The app's own way in: a password over the network (loopback is trust in the image's pg_hba, so it proves nothing).
# Logged in as either login, the session acts as taskmanager_app.
address="$(hostname -i | awk '{print $1}')"
in_order="SELECT current_user = 'taskmanager_app'
  AND (SELECT nspowner FROM pg_namespace WHERE nspname = 'public') = 'taskmanager_app'::regrole
  AND NOT EXISTS (SELECT FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relowner <> 'taskmanager_app'::regrole)
  AND NOT EXISTS (SELECT FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proowner <> 'taskmanager_app'::regrole)
  AND NOT EXISTS (SELECT FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typowner <> 'taskmanager_app'::regrole)
  AND NOT EXISTS (SELECT FROM pg_roles WHERE rolname IN ('taskmanager_app', 'taskmanager_app_2')
                  AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls))
  AND (SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles
       WHERE rolname IN ('taskmanager_app', 'taskmanager_app_2') AND rolcanlogin) = '$open_logins'
  AND pg_has_role('stackctl_ops', 'taskmanager_app', 'MEMBER')
  AND pg_has_role('stackctl_ops', 'pg_read_all_data', 'MEMBER')
  AND pg_has_role('stackctl_monitor', 'pg_monitor', 'MEMBER')
  AND NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stackctl_monitor'
                  AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls))
  AND (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'stackctl_monitor') = $monitor_open"
check() {
  local role
  for role in "${!password[@]}"; do
    [ "$(PGPASSWORD="${password[$role]}" PGCONNECT_TIMEOUT=2 psql -X -A -t -h "$address" -U "$role" -d "$db" \
      -c "$in_order" 2>/dev/null)" = t ] || return 1
  done
  if [ "$monitor_open" = true ]; then
    [ "$(PGPASSWORD="$MONITOR_LOGIN_PASSWORD" PGCONNECT_TIMEOUT=2 psql -X -A -t -h "$address" -U stackctl_monitor \
      -d "$db" -c "SELECT pg_has_role('pg_monitor', 'MEMBER')" 2>/dev/null)" = t ] || return 1
  fi
}
check && exit 0

# One transaction, serialized with any other run, that waits at most a second for a lock the app holds: a busy
# table is tried again at the next interval instead of stalling the app's queries behind this one.
psql -X -q -v ON_ERROR_STOP=1 --single-transaction -U "$superuser" -d "$db" <<'SQL'
\getenv login_1_password APP_LOGIN_1_PASSWORD
\getenv login_2_password APP_LOGIN_2_PASSWORD
\getenv monitor_password MONITOR_LOGIN_PASSWORD
SELECT :'login_1_password' <> '' AS login_1_open, :'login_2_password' <> '' AS login_2_open,
       :'monitor_password' <> '' AS monitor_open \gset
SET LOCAL lock_timeout = '1s';
SET LOCAL client_min_messages = warning;
DO $$
BEGIN
  PERFORM pg_advisory_xact_lock(7311280954);
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'taskmanager_app') THEN
    CREATE ROLE taskmanager_app;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'taskmanager_app_2') THEN
    CREATE ROLE taskmanager_app_2;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stackctl_ops') THEN
    CREATE ROLE stackctl_ops;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stackctl_monitor') THEN
    CREATE ROLE stackctl_monitor;
  END IF;
END $$;
ALTER ROLE taskmanager_app NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE taskmanager_app_2 NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;
GRANT taskmanager_app TO taskmanager_app_2;
ALTER ROLE taskmanager_app_2 SET role = 'taskmanager_app';
\if :login_1_open
ALTER ROLE taskmanager_app LOGIN PASSWORD :'login_1_password';
\else
ALTER ROLE taskmanager_app NOLOGIN PASSWORD NULL;
\endif
\if :login_2_open
ALTER ROLE taskmanager_app_2 LOGIN PASSWORD :'login_2_password';
\else
ALTER ROLE taskmanager_app_2 NOLOGIN PASSWORD NULL;
\endif
ALTER ROLE stackctl_ops LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD NULL;
GRANT taskmanager_app TO stackctl_ops;
GRANT pg_read_all_data, pg_monitor, pg_signal_backend TO stackctl_ops;
\if :monitor_open
ALTER ROLE stackctl_monitor LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT
  PASSWORD :'monitor_password';
\else
ALTER ROLE stackctl_monitor NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD NULL;
\endif
GRANT pg_monitor TO stackctl_monitor;
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
GRANT CONNECT ON DATABASE postgres TO stackctl_ops;
DO $$
DECLARE
  r record;
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO taskmanager_app', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO stackctl_monitor', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY, CREATE ON DATABASE %I TO stackctl_ops', current_database());
  EXECUTE 'ALTER SCHEMA public OWNER TO taskmanager_app';
  -- Tables first: each takes its indexes and the sequences of its serial columns along.
  FOR r IN SELECT oid::regclass AS name, relkind FROM pg_class
           WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'f', 'c', 'S')
             AND relowner <> 'taskmanager_app'::regrole
           ORDER BY relkind = 'S', relkind = 'c' LOOP
    CONTINUE WHEN (SELECT relowner FROM pg_class WHERE oid = r.name) = 'taskmanager_app'::regrole;
    EXECUTE format(CASE r.relkind WHEN 'S' THEN 'ALTER SEQUENCE %s OWNER TO taskmanager_app'
                                  WHEN 'c' THEN 'ALTER TYPE %s OWNER TO taskmanager_app'
                                  ELSE 'ALTER TABLE %s OWNER TO taskmanager_app' END, r.name);
  END LOOP;
  FOR r IN SELECT oid::regprocedure AS name FROM pg_proc
           WHERE pronamespace = 'public'::regnamespace AND proowner <> 'taskmanager_app'::regrole LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO taskmanager_app', r.name);
  END LOOP;
  -- Enums, domains and ranges (a table's row type and any array type follow their owner).
  FOR r IN SELECT oid::regtype AS name FROM pg_type
           WHERE typnamespace = 'public'::regnamespace AND typowner <> 'taskmanager_app'::regrole
             AND typtype IN ('e', 'd', 'r') LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO taskmanager_app', r.name);
  END LOOP;
END $$;
SQL
check
