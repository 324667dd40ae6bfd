#!/usr/bin/env bash
# Runs one command of a lane beside the compose scenario (.ci/beside.sh) at the scenario's CPU weight: the command's
# processes out of the lane's cgroup and at nice 0, the lane's labelled containers at the default CPU shares, also
# those that start meanwhile (a replacement task); all back at the lane's quarter after it. For the checks that judge
# latency under load, which a quarter of a busy host fails (beside.sh says why). Outside a lane it just runs it.
#
# Usage: "${BESIDE_FULL_WEIGHT:-env}" COMMAND...   (beside.sh sets BESIDE_FULL_WEIGHT and the BESIDE_* it reads)
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: full-weight.sh COMMAND..." >&2; exit 2; }
if [ -z "${BESIDE_GROUP:-}" ] || [ -z "${BESIDE_LABEL:-}" ]; then
  exec "$@" # no cgroup of the lane's own: it already runs at the scenario's weight
fi
weigh() { # weigh SHARES: the labelled containers running now
  docker ps -q --filter "label=$BESIDE_LABEL" | xargs -r docker update --cpu-shares "$1" >/dev/null 2>&1 || true
}
touch "$BESIDE_BOOST"
weigh 1024
trap 'rm -f "$BESIDE_BOOST"; weigh "$BESIDE_WEIGHT"' EXIT
parent=$(dirname "$BESIDE_GROUP")
procs="$parent/cgroup.procs"
[ -f "$procs" ] || procs="$parent/tasks"
code=0
(
  echo "$BASHPID" >"$procs" 2>/dev/null || true
  exec nice -n "$((-$(nice)))" "$@"
) || code=$?
exit "$code"
