#!/usr/bin/env bash
# Backup and restore of ROWS tasks (default 1,000,000) through stackctl against plain pgBackRest on the same data, in
# one run, on a running compose stack (issue 20's goal: stackctl within 1.1x). Run from the checkout:
#   perf/pgbackrest-compare.sh [ROWS] [ROUNDS]
# - backup: `stackctl backup --type full` against `pgbackrest backup --type=full --repo=N` for each repository, run by
#   hand in the db container: the same work, the same order, alternated ROUNDS times (default 5; each goes first
#   in every other round); medians compared.
# - restore: the time `stackctl restore --latest` keeps the API out of service (maintenance on, stop, pgbackrest
#   restore --delta, start, promotion, the new timeline's history archived, maintenance off) against the same restore
#   by hand (stop the db container, compose/db/pitr.sh latest in a one-off container, start, wait for the promotion),
#   alternated ROUNDS times, each from a full backup just taken; medians compared.
# Prints a table and "ratio" lines. Stops nothing else; the stack is back in service at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows="${1:-1000000}"
rounds="${2:-5}"
project="${STACKCTL_PROJECT:-taskmanager}"
db() { docker ps -q --filter "label=com.docker.compose.project=$project" --filter label=com.docker.compose.service=db; }
psql_db() { docker exec "$(db)" bash -c "psql -X -A -t -q -U \"\$POSTGRES_USER\" -d taskmanager -c \"$1\""; }
seconds() { python3 -c 'import sys; print("%.2f" % ((int(sys.argv[2]) - int(sys.argv[1])) / 1e9))' "$1" "$2"; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

[ -n "$(db)" ] || { echo "no running db container for project $project: bin/stackctl up first" >&2; exit 3; }
have=$(psql_db "SELECT count(*) FROM tasks")
if [ "$have" -lt "$rows" ]; then
  echo "adding $((rows - have)) tasks (to $rows)"
  psql_db "INSERT INTO tasks (title, description, status) SELECT 'bench ' || i, repeat('x', 64), 'pending' FROM generate_series(1, $((rows - have))) i"
fi
echo "tasks: $(psql_db "SELECT count(*) FROM tasks"); database $(psql_db "SELECT pg_size_pretty(pg_database_size('taskmanager'))")"
repos=$(docker exec "$(db)" grep -o '^repo[0-9]-type\|^repo[0-9]-path' /etc/pgbackrest/pgbackrest.conf | cut -c5 | sort -u)

backup_tool() {
  local start
  start=$(date +%s%N)
  bin/stackctl backup --type full >/dev/null
  tool+=("$(seconds "$start" "$(date +%s%N)")")
}
backup_plain() {
  local start repo
  start=$(date +%s%N)
  for repo in $repos; do
    docker exec "$(db)" setpriv --reuid=postgres --regid=postgres --init-groups \
      pgbackrest --stanza=stack --repo="$repo" --type=full --log-level-console=warn backup
  done
  plain+=("$(seconds "$start" "$(date +%s%N)")")
}
tool=() plain=()
for round in $(seq 1 "$rounds"); do
  # Each goes first in every other round: neither always runs right after the other's checkpoint and WAL.
  if [ $((round % 2)) = 1 ]; then backup_tool; backup_plain; else backup_plain; backup_tool; fi
  echo "round $round: backup stackctl ${tool[-1]} s, plain pgBackRest ${plain[-1]} s (repositories: $(echo $repos))"
done
backup_tool=$(median "${tool[@]}")
backup_plain=$(median "${plain[@]}")

# Restore by hand: what stackctl automates, without its checks. Alternated with stackctl's, ROUNDS times each.
network="--network none"
if docker network inspect "${project}_offsite" >/dev/null 2>&1; then
  network="--network ${project}_offsite --add-host host.docker.internal:host-gateway"
fi
tool=() plain=()
for round in $(seq 1 "$rounds"); do
  psql_db "SELECT pg_switch_wal()" >/dev/null
  sleep 2
  container=$(db)
  start=$(date +%s%N)
  docker stop -t 30 "$container" >/dev/null
  docker run --rm --volumes-from "$container" --user root --entrypoint bash \
    $(docker inspect -f '{{range .Config.Env}}-e {{.}} {{end}}' "$container") \
    $network "$(docker inspect -f '{{.Image}}' "$container")" /stack/db/pitr.sh latest >/dev/null
  docker start "$container" >/dev/null
  until [ "$(docker exec "$container" bash -c 'psql -X -A -t -q -U "$POSTGRES_USER" -d postgres -c "SELECT pg_is_in_recovery()"' 2>/dev/null)" = f ]; do
    sleep 0.1
  done
  plain+=("$(seconds "$start" "$(date +%s%N)")")
  sleep 15 # the health check makes the roles and the stanza on the new timeline; the app reconnects
  # stackctl's restore ends with a full backup and the plain one does not: one here, untimed, so both restores start
  # from a backup of the same age and replay the same few segments.
  bin/stackctl backup --type full >/dev/null
  out=$(bin/stackctl restore --latest --yes 2>&1)
  tool+=("$(echo "$out" | sed -n 's/.*the API was out of service \([0-9.]*\)s.*/\1/p' | tail -1)")
  echo "round $round: restore --latest stackctl ${tool[-1]} s, plain pgBackRest ${plain[-1]} s"
done
restore_tool=$(median "${tool[@]}")
restore_plain=$(median "${plain[@]}")

printf '\n%-28s %10s %16s %7s\n' "" "stackctl" "plain pgBackRest" "ratio"
printf '%-28s %9ss %15ss %7s\n' "backup --type full (median)" "$backup_tool" "$backup_plain" \
  "$(python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$backup_tool" "$backup_plain")"
printf '%-28s %9ss %15ss %7s\n' "restore --latest (median)" "$restore_tool" "$restore_plain" \
  "$(python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$restore_tool" "$restore_plain")"
