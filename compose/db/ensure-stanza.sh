#!/usr/bin/env bash
# Creates pgBackRest's stanza (the repository's record of this cluster) once PostgreSQL answers; until then WAL waits
# in pg_wal and archive-push retries. Run after ensure-roles.sh by the db service's health check, so a fresh
# repository volume gets its stanza with no stackctl command. It never fails the check: the database serves whether
# or not its backups work, and `stackctl health` and `backups status` report archiving that does not.
set -uo pipefail
[ -s /etc/pgbackrest/pgbackrest.conf ] || exit 0
[ -s /var/lib/pgbackrest/archive/stack/archive.info ] && exit 0
if ! out=$(setpriv --reuid=postgres --regid=postgres --init-groups pgbackrest --stanza=stack stanza-create 2>&1); then
  echo "pgbackrest stanza-create failed: $out" >&2
fi
exit 0
