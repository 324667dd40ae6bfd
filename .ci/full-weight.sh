#!/usr/bin/env bash
# Runs one command of a lane beside the compose scenario (.ci/beside.sh) at the scenario's CPU weight: the command's
# processes out of the lane's cgroup and at nice 0, the lane's labelled containers at the default CPU shares, also
# those that start meanwhile (a replacement task); all back at the lane's quarter after it. For the checks that judge
# latency under load, which a quarter of a busy host fails (beside.sh says why). Outside a lane it just runs it.
#
# Usage: "${BESIDE_FULL_WEIGHT:-env}" COMMAND...   (beside.sh sets BESIDE_FULL_WEIGHT and the BESIDE_* it reads)
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: full-weight.sh COMMAND..." >&2; exit 2; }
[ -n "${BESIDE_LABEL:-}" ] || exec "$@" # not in a lane: it runs at the scenario's weight already
weigh() { # weigh SHARES: the labelled containers running now
  docker ps -q --filter "label=$BESIDE_LABEL" | xargs -r docker update --cpu-shares "$1" >/dev/null 2>&1 || true
}
touch "$BESIDE_BOOST"
weigh 1024
trap 'rm -f "$BESIDE_BOOST"; weigh "$BESIDE_WEIGHT"' EXIT
code=0
(
  if [ -n "${BESIDE_GROUP:-}" ]; then # out of the lane's cgroup, where it has one (else only its nice was lower)
    procs="$(dirname "$BESIDE_GROUP")/cgroup.procs"
    [ -f "$procs" ] || procs="$(dirname "$BESIDE_GROUP")/tasks"
    echo "$BASHPID" >"$procs" 2>/dev/null || true
  fi
  exec nice -n "$((-$(nice)))" "$@"
) || code=$?
exit "$code"
