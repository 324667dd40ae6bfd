#!/usr/bin/env bash
# Creates pgBackRest's stanza (the repository's record of this cluster) once PostgreSQL answers; until then WAL waits
# in pg_wal and archive-push retries. Run after ensure-roles.sh by the db service's health check, so a fresh
# repository volume, or an off-host repository named in compose/.env since, gets its stanza with no stackctl command.
# A marker names the repositories the stanza was made in, so the check does not ask S3 every few seconds. It never
# fails the check: the database serves whether or not its backups work, and `stackctl health` and `backups status`
# report archiving that does not.
set -uo pipefail
[ -s /etc/pgbackrest/pgbackrest.conf ] || exit 0
# In the container, not the repository: a new container asks once, and the repository holds ciphertext alone.
marker=/var/spool/pgbackrest/stanza-repositories
repositories="local ${BACKUP_S3_BUCKET:+s3://${BACKUP_S3_ENDPOINT:-}/$BACKUP_S3_BUCKET${BACKUP_S3_PATH:-/stackctl}}"
if [ -s /var/lib/pgbackrest/archive/stack/archive.info ] && [ "$(cat "$marker" 2>/dev/null)" = "$repositories" ]; then
  exit 0
fi
# While it fails (the S3 store unreachable), a flag tells health.sh to keep running it at every check.
pending=/var/run/postgresql/.stanza-pending
if out=$(setpriv --reuid=postgres --regid=postgres --init-groups pgbackrest --stanza=stack stanza-create 2>&1); then
  echo "$repositories" >"$marker"
  rm -f "$pending"
else
  echo "pgbackrest stanza-create failed: $out" >&2
  touch "$pending"
fi
exit 0
