#!/usr/bin/env bash
# Behaves like docker-library/postgres' entrypoint: on an empty PGDATA it runs initdb, starts a
# temporary socket-only server, creates POSTGRES_DB, runs /docker-entrypoint-initdb.d, stops it,
# then execs the real server. Tools such as Testcontainers rely on that two-phase start.
set -Eeo pipefail

if [ "${1:0:1}" = '-' ]; then
  set -- postgres "$@"
fi

# As the official image: POSTGRES_PASSWORD_FILE (a Docker secret) instead of POSTGRES_PASSWORD.
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    echo 'error: both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set; keep only one' >&2
    exit 1
  fi
  POSTGRES_PASSWORD="$(<"$POSTGRES_PASSWORD_FILE")"
  export POSTGRES_PASSWORD
  unset POSTGRES_PASSWORD_FILE
fi

init_database() {
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != 'trust' ]; then
    echo 'Error: Database is uninitialized and superuser password is not specified.' >&2
    echo '  Set POSTGRES_PASSWORD to a non-empty value (or POSTGRES_HOST_AUTH_METHOD=trust).' >&2
    exit 1
  fi
  local user="${POSTGRES_USER:-postgres}" db="${POSTGRES_DB:-${POSTGRES_USER:-postgres}}"
  # shellcheck disable=SC2086
  initdb --username="$user" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
    ${POSTGRES_INITDB_ARGS:-} >/dev/null
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf '\nhost all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$PGDATA/pg_hba.conf"

  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  export PGUSER="$user" PGPASSWORD="${POSTGRES_PASSWORD:-}"
  if [ "$db" != 'postgres' ]; then
    psql -v ON_ERROR_STOP=1 --dbname postgres --set db="$db" -q <<<'CREATE DATABASE :"db";'
  fi
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then echo "$0: running $f"; "$f"; else echo "$0: sourcing $f"; . "$f"; fi ;;
      *.sql) echo "$0: running $f"; psql -v ON_ERROR_STOP=1 --dbname "$db" -f "$f" ;;
      *.sql.gz) echo "$0: running $f"; gunzip -c "$f" | psql -v ON_ERROR_STOP=1 --dbname "$db" ;;
      *) [ -e "$f" ] && echo "$0: ignoring $f" ;;
    esac
  done
  unset PGPASSWORD
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo 'PostgreSQL init process complete; ready for start up.'
}

if [ "$1" = 'postgres' ]; then
  if [ "$(id -u)" = '0' ]; then
    mkdir -p "$PGDATA"
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$(readlink -f "$0")" "$@"
  fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    init_database
  fi
fi
exec "$@"
