#!/usr/bin/env bash
# Restores the stopped db service's data directory from pgBackRest's repository, for a point-in-time restore: stackctl
# runs it in a one-off container of the db image with the db container's volumes (docker run --volumes-from), as
# root, while the db container is stopped. --delta rewrites only the files that differ, so running it again after an
# interruption finishes the job. PostgreSQL, started again, replays the archived WAL up to the target and promotes:
# a new timeline begins there.
#   pitr.sh time '2026-12-03 14:02:16.5+00'   to that instant (the last commit at or before it)
#   pitr.sh backup 20261203-074038F            to the end of that backup
#   pitr.sh latest                             to the end of the archived WAL
#   pitr.sh info                               what the repository holds (pgbackrest info, JSON), nothing changed
set -euo pipefail
source /stack/db/pgbackrest-conf.sh
write_pgbackrest_conf || { echo "no pgbackrest or no repository key (compose/secrets/db/backup-cipher-pass)" >&2; exit 3; }
case "${1:-}" in
  info) exec setpriv --reuid=postgres --regid=postgres --init-groups pgbackrest --stanza=stack --output=json info ;;
  time) target=(--type=time "--target=$2" --target-action=promote) ;;
  backup) target=("--set=$2" --type=immediate --target-action=promote) ;;
  latest) target=(--type=default) ;;
  *) echo "usage: pitr.sh time TIMESTAMP | backup LABEL | latest" >&2; exit 2 ;;
esac
# A data volume that is a new filesystem of its own (DB_VOLUME_DEVICE, after a lost disk) has a root owned by root and
# a lost+found in it: pgBackRest, as postgres, restores only into a directory of its own user's.
pgdata=${PGDATA:-/var/lib/postgresql/data}
if [ ! -e "$pgdata/PG_VERSION" ] && [ -d "$pgdata/lost+found" ]; then
  rmdir "$pgdata/lost+found" 2>/dev/null || true
fi
install -d -o postgres -g postgres -m 0700 "$pgdata"
exec setpriv --reuid=postgres --regid=postgres --init-groups \
  pgbackrest --stanza=stack --delta --log-level-console=info "${target[@]}" restore
