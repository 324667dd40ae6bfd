#!/usr/bin/env bash
# Least privilege for the stack's database, made so and kept so. The db service's healthcheck runs this each
# interval, so the app (which starts once db is healthy) never logs in as the superuser, a volume made by an older
# stackctl is converted at its first start, and a role someone dropped or changed comes back by itself.
#
#   taskmanager_app  the app's login: owns the public schema of the stack's database and every object in it, and
#                    nothing else (no superuser, no CREATEDB, no CREATEROLE; CONNECT to this database only).
#   stackctl_ops     stackctl's operations, over the container's socket (docker exec) only, as it has no password:
#                    reads everything for a dump (pg_read_all_data), sees sessions (pg_monitor), stops its own
#                    restore, creates the scratch database a verify restores into (CREATEDB), and, as a member of
#                    taskmanager_app, replaces the schema in a restore, leaving the app as owner of what it made.
#   POSTGRES_USER    the superuser, for this script and for an operator at a console; no service uses it.
#
# Exit 0 when the app can log in with its password and the roles are as above; 1 otherwise (not ready yet).
set -Eeuo pipefail

db="${POSTGRES_DB:-${POSTGRES_USER:-postgres}}"
superuser="${POSTGRES_USER:-postgres}"
if [ -n "${APP_DB_PASSWORD_FILE:-}" ]; then
  APP_DB_PASSWORD="$(<"$APP_DB_PASSWORD_FILE")"
fi
if [ -z "${APP_DB_PASSWORD:-}" ]; then
  echo "APP_DB_PASSWORD is not set in the db container: run stackctl up (it adds it to compose/.env)" >&2
  exit 1
fi
export APP_DB_PASSWORD

pg_isready -q -h 127.0.0.1 -U "$superuser" -d "$db" || exit 1

# The app's own way in: a password over the network (loopback is trust in the image's pg_hba, so it proves nothing).
address="$(hostname -i | awk '{print $1}')"
in_order="SELECT (SELECT nspowner FROM pg_namespace WHERE nspname = 'public') = 'taskmanager_app'::regrole
  AND NOT EXISTS (SELECT FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relowner <> 'taskmanager_app'::regrole)
  AND NOT EXISTS (SELECT FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proowner <> 'taskmanager_app'::regrole)
  AND NOT EXISTS (SELECT FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typowner <> 'taskmanager_app'::regrole)
  AND NOT (SELECT rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles WHERE rolname = 'taskmanager_app')
  AND pg_has_role('stackctl_ops', 'taskmanager_app', 'MEMBER')
  AND pg_has_role('stackctl_ops', 'pg_read_all_data', 'MEMBER')"
check() {
  [ "$(PGPASSWORD="$APP_DB_PASSWORD" PGCONNECT_TIMEOUT=2 psql -X -A -t -h "$address" -U taskmanager_app -d "$db" \
    -c "$in_order" 2>/dev/null)" = t ]
}
check && exit 0

# One transaction, serialized with any other run, that waits at most a second for a lock the app holds: a busy
# table is tried again at the next interval instead of stalling the app's queries behind this one.
psql -X -q -v ON_ERROR_STOP=1 --single-transaction -U "$superuser" -d "$db" <<'SQL'
\getenv app_password APP_DB_PASSWORD
SET LOCAL lock_timeout = '1s';
SET LOCAL client_min_messages = warning;
DO $$
BEGIN
  PERFORM pg_advisory_xact_lock(7311280954);
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'taskmanager_app') THEN
    CREATE ROLE taskmanager_app;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stackctl_ops') THEN
    CREATE ROLE stackctl_ops;
  END IF;
END $$;
ALTER ROLE taskmanager_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE taskmanager_app PASSWORD :'app_password';
ALTER ROLE stackctl_ops LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD NULL;
GRANT taskmanager_app TO stackctl_ops;
GRANT pg_read_all_data, pg_monitor, pg_signal_backend TO stackctl_ops;
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
GRANT CONNECT ON DATABASE postgres TO stackctl_ops;
DO $$
DECLARE
  r record;
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO taskmanager_app', current_database());
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
