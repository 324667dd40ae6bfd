#!/usr/bin/env bash
# Proves that pgBackRest's repositories restore: `stackctl backups prove` (one repository) and `stackctl restore` (all
# of them, as the live restore reads them, before the live database is touched) run it in a one-off container of the
# db image with a scratch volume at /scratch, the repository volume read-only, and none of the live database's
# volumes. It restores the stanza to the target into /scratch/data, starts PostgreSQL there (its own port and socket,
# archiving off, so nothing reaches the repository), waits for the promotion, and prints one line:
#   PROOF {"markers":[ids...],"tables":{"schema.table":rows,...},"restore_seconds":S,"ready_seconds":S}
#   prove.sh REPO time TIMESTAMP | backup LABEL | latest
#     REPO 1 (local), 2 (off-host) or all; the target as pitr.sh takes it (a bare TIMESTAMP is a time)
set -euo pipefail
repo="${1:?usage: prove.sh REPO time TIMESTAMP | backup LABEL | latest}"
shift
case "${1:-}" in
  time) target=(--type=time "--target=${2:?a time}" --target-action=promote) ;;
  backup) target=("--set=${2:?a backup label}" --type=immediate --target-action=promote) ;;
  latest) target=(--type=default) ;;
  ?*) target=(--type=time "--target=$1" --target-action=promote) ;;
  *) echo "usage: prove.sh REPO time TIMESTAMP | backup LABEL | latest" >&2; exit 2 ;;
esac
source /stack/db/pgbackrest-conf.sh
write_pgbackrest_conf || { echo "no pgbackrest or no repository key (compose/secrets/db/backup-cipher-pass)" >&2; exit 3; }
repo_option=()
if [ "$repo" != all ]; then
  # Only the repository under proof: archive-get would otherwise fetch a segment missing from it out of the other one.
  other=$((3 - repo))
  sed -i "/^repo$other-/d" /etc/pgbackrest/pgbackrest.conf
  grep -q "^repo$repo-" /etc/pgbackrest/pgbackrest.conf || { echo "repository $repo is not configured" >&2; exit 3; }
  repo_option=("--repo=$repo")
fi
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
install -d -o postgres -g postgres -m 0700 /scratch/data
chown postgres:postgres /scratch
start=$(date +%s.%N)
as_pg pgbackrest --stanza=stack "${repo_option[@]}" --pg1-path=/scratch/data "${target[@]}" \
  --archive-mode=off --log-level-console=warn restore
restored=$(date +%s.%N)
printf 'local all all trust\n' >/scratch/hba.conf
chown postgres /scratch/hba.conf
if ! as_pg pg_ctl -D /scratch/data -l /scratch/postgres.log -w -t 600 start -o "-c port=5433 -c listen_addresses='' \
    -c unix_socket_directories=/scratch -c archive_mode=off -c ssl=off -c hba_file=/scratch/hba.conf"; then
  echo "PostgreSQL did not start on the restored data; its log ends:" >&2
  tail -n 15 /scratch/postgres.log >&2
  exit 1
fi
q() { as_pg psql -X -A -t -q -v ON_ERROR_STOP=1 -h /scratch -p 5433 -U "${POSTGRES_USER:-postgres}" "$@"; }
for _ in $(seq 1 600); do
  [ "$(q -d postgres -c "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ] && break
  if ! as_pg pg_ctl -D /scratch/data status >/dev/null; then
    echo "PostgreSQL stopped before it reached the target; its log ends:" >&2
    tail -n 15 /scratch/postgres.log >&2
    exit 1
  fi
  sleep 0.5
done
[ "$(q -d postgres -c "SELECT pg_is_in_recovery()")" = f ] || { echo "still in recovery after 300 s" >&2; exit 1; }
ready=$(date +%s.%N)
markers=$(q -d stackctl_proof -c "SELECT coalesce(json_agg(id ORDER BY id), '[]') FROM markers" 2>/dev/null || echo null)
# Every table of the stack's database, counted exactly (query_to_xml runs a count per table in one statement).
tables=$(q -d "${POSTGRES_DB:-postgres}" <<'SQL'
SELECT coalesce(json_object_agg(table_schema || '.' || table_name,
         (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name),
                                              false, true, '')))[1]::text::bigint), '{}')
FROM information_schema.tables
WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema');
SQL
)
as_pg pg_ctl -D /scratch/data -m immediate stop >/dev/null
awk -v m="$markers" -v t="$tables" -v s="$start" -v r="$restored" -v e="$ready" \
  'BEGIN { printf "PROOF {\"markers\":%s,\"tables\":%s,\"restore_seconds\":%.1f,\"ready_seconds\":%.1f}\n", m, t, r - s, e - s }'
