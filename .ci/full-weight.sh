#!/usr/bin/env bash
# Runs one command of a lane beside the compose scenario (.ci/beside.sh) at the scenario's CPU weight: the command's
# processes out of the lane's cgroup and at nice 0, the lane's labelled containers at the default CPU shares, also
# those that start meanwhile (a replacement task); all back at the lane's quarter after it. For the checks that judge
# latency under load, which a quarter of a busy host fails (beside.sh says why). Outside a lane it just runs it.
# It waits for CI_CLOCK_LOCK first, where .ci/run sets it: the scenario's own judged commands hold it (e2e-lib.sh's
# judged), and two such at the full weight on 2 cores judge each other's load.
#
# Usage: "${BESIDE_FULL_WEIGHT:-env}" COMMAND...   (beside.sh sets BESIDE_FULL_WEIGHT and the BESIDE_* it reads)
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: full-weight.sh COMMAND..." >&2; exit 2; }
[ -n "${BESIDE_LABEL:-}" ] || exec "$@" # not in a lane: it runs at the scenario's weight already
weigh() { # weigh SHARES: the labelled containers running now
  docker ps -q --filter "label=$BESIDE_LABEL" | xargs -r docker update --cpu-shares "$1" >/dev/null 2>&1 || true
}
if [ -n "${CI_CLOCK_LOCK:-}" ]; then
  since=$(date +%s)
  exec 9>>"$CI_CLOCK_LOCK"
  flock 9
  waited="waited $(($(date +%s) - since)) s for the scenario's judged command: $*"
  [ "$(date +%s)" = "$since" ] || printf '%s\tfull-weight\t%s\n' "$(date +%s%3N)" "$waited" >>"${E2E_TIMES:-/dev/stderr}"
fi
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
  exec nice -n "$((-$(nice)))" "$@" 9>&- # the lock is this script's: it goes when the weights are back
) || code=$?
exit "$code"
