#!/usr/bin/env bash
# Writes a proof marker once a minute: a row in the stackctl_proof database (its own, so no dump of the app's database
# carries it) with the instant it committed. `stackctl backups prove` restores a repository to an instant in a scratch
# container and checks that it holds exactly the markers committed before that instant: the restore stopped where it
# was asked to, with nothing missing and nothing from after it. Run by the db service's health check after
# ensure-stanza.sh; it never fails the check. A side effect worth having: a quiet database still writes, so
# archive_timeout closes a segment each minute and the archive's age always measures the RPO.
set -uo pipefail
# The check runs every few seconds; the marker is due once a minute. A stamp in the container keeps the other runs
# to a shell and a stat, with no psql at all: the check's cost counts on a busy 2-core host.
stamp=/var/run/postgresql/.proof-marker
if [ -e "$stamp" ] && [ $(( $(date +%s) - $(stat -c %Y "$stamp") )) -lt 60 ]; then
  exit 0
fi
superuser="${POSTGRES_USER:-postgres}"
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -U "$superuser" "$@" 2>&1; }
[ "$(q -d postgres -c "SELECT pg_is_in_recovery()")" = f ] || exit 0
if [ "$(q -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'stackctl_proof'")" != 1 ]; then
  q -d postgres -c "CREATE DATABASE stackctl_proof" >/dev/null || exit 0
fi
# Under a minute in the SQL: the stamp is touched a moment before the row commits, so a row from exactly a minute ago
# looked recent, and the next marker came two minutes after it.
out=$(q -d stackctl_proof <<'SQL'
CREATE TABLE IF NOT EXISTS markers (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp());
INSERT INTO markers (at) SELECT clock_timestamp()
WHERE NOT EXISTS (SELECT 1 FROM markers WHERE at > clock_timestamp() - interval '55 seconds');
SQL
) && touch "$stamp" || echo "proof marker not written: $out" >&2
exit 0
