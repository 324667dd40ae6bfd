#!/usr/bin/env bash
# Runs a command of an end-to-end scenario under CI's clock lock (CI_CLOCK_LOCK, set by .ci/run), so that what judges
# answers by the clock under load never runs beside heavy work of another scenario:
#
#   judged COMMAND...    a drill, a deploy judged by its analysis, a switchover that must fail no request: alone, once
#                        the yielding command running now has ended; none starts meanwhile
#   yielding COMMAND...  the heavy commands of a scenario beside (the Swarm scenario's up, scale, deploy, backup,
#                        restore): any number at once, never during a judged one
#
# Weights alone were not enough: on 2 cores, with the Swarm scenario's stack starting, scaling or restoring beside it
# at a quarter of the weight, the compose scenario's replicas came back from a kill in 30.7 s (the drill allows 30),
# its load-spike met a full pool, and two judged commands at the full weight at once judged each other's load (CI
# run 53, the landing run of stop 62). A judged command waits for the yielding one in progress; later ones wait
# behind it (a turnstile), so a stream of yielding commands cannot hold it off. Outside CI it just runs the command.
#
# The wait, when there was one, goes in E2E_TIMES (.ci/slow-checks.py lists it).
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: clock.sh judged|yielding COMMAND..." >&2; exit 2; }
mode="$1"
shift
case "$mode" in judged | yielding) ;; *) echo "clock.sh: judged or yielding, not '$mode'" >&2; exit 2 ;; esac
[ -n "${CI_CLOCK_LOCK:-}" ] || exec "$@"
since=$(date +%s%3N)
exec 8>>"$CI_CLOCK_LOCK.turnstile" 9>>"$CI_CLOCK_LOCK"
flock -x 8 # held by a judged command from here to its end: no yielding command starts meanwhile
if [ "$mode" = judged ]; then flock -x 9; else flock -s 9 && exec 8>&-; fi
waited=$(($(date +%s%3N) - since))
if [ "$waited" -ge 1000 ] && [ -n "${E2E_TIMES:-}" ]; then
  printf '%s\tclock\t%s\n' "$(date +%s%3N)" "a $mode command waited $((waited / 1000)) s: $*" >>"$E2E_TIMES"
fi
code=0
"$@" 8>&- 9>&- || code=$? # the locks are this script's: they go when it ends
exit "$code"
