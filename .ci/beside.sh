#!/usr/bin/env bash
# Runs a command in a copy of this working tree beside the compose scenario, on what CPU the scenario leaves idle.
#
# Usage: beside.sh NAME LABEL DONE [--containers-only] -- COMMAND...
#   NAME   the copy is /tmp/ci-NAME (made anew: tracked and new files, and the jars): a command beside the scenario must
#          never rewrite a jar bin/stackctl is reading, nor a compose/.env the scenario is editing
#   LABEL  a container label (KEY=VALUE): the containers that carry it are weighed down as they start
#   DONE   written last, with the command's exit status: the scenario's sections that need the machine to themselves
#          wait for it (E2E_QUIET_AFTER, E2E_ENGINE_RESTART_AFTER)
#   --containers-only  only the labelled containers are weighed down, not the command's own processes: for a command
#          that drives a stack of its own and judges its answers by the clock (the Swarm scenario: its bin/stackctl
#          health took 18 s at a quarter and found nginx's /ready timed out, CI run 50), where the stack is most of
#          the CPU and the client little of it
#
# Why beside: parts of the compose scenario leave most of the 2 cores idle (its backups, drills and monitoring wait on
# archiving, restores, fault windows and alert rules: 29-50% busy). So that what runs beside takes little from the
# scenario, it runs at a quarter of the CPU weight: its processes in a cgroup of their own, its containers with a
# quarter of the default CPU shares (cgroup v1's cpu.shares or v2's cpu.weight; best effort, a host that does not let
# us still runs the command, at nice 10). CI run 41: ./mvnw verify beside the backups took 5.0 min instead of 2.7,
# and the scenario 24 s longer over those minutes; run 42: the Swarm scenario beside the autoscaler, monitoring and
# standby steps 6.5 min instead of 4.5, every check of the three passing.
#
# A check that judges latency under load cannot run at a quarter: with the 2 cores busy, a quarter is too little for a
# stack to answer its load in time (a Swarm kill-replica drill at a quarter beside two busy containers: 4 of 4 failed,
# every request hung, before the kill too; CI run 48 failed so). The command gets BESIDE_FULL_WEIGHT, a script that
# runs one command at the scenario's weight (.ci/full-weight.sh): its processes, and the labelled containers, also
# those that start meanwhile.
set -uo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name="$1" label="$2" done_file="$3"
shift 3
containers_only=no
[ "${1:-}" = --containers-only ] && { containers_only=yes; shift; }
[ "${1:-}" = -- ] && shift
tree="/tmp/ci-$name"
weight=256 # of 1024: a nice-0 process, or a container, of the scenario's
rm -f "$done_file"

rm -rf "$tree" && mkdir -p "$tree"
(cd "$src" && { git ls-files -z -co --exclude-standard; find . -path './*/target/*.jar' -print0; } | tar --null -T - -cf -) \
  | tar -C "$tree" -xf -

group="" niceness=10
if [ "$containers_only" = yes ]; then
  niceness=0
elif [ -d /sys/fs/cgroup/cpu ] && mkdir -p "/sys/fs/cgroup/cpu/ci-$name" 2>/dev/null; then
  group="/sys/fs/cgroup/cpu/ci-$name"
  echo "$weight" >"$group/cpu.shares" 2>/dev/null || group=""
elif [ -f /sys/fs/cgroup/cgroup.controllers ] && mkdir -p "/sys/fs/cgroup/ci-$name" 2>/dev/null; then
  echo +cpu >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
  group="/sys/fs/cgroup/ci-$name"
  echo $((weight * 100 / 1024)) >"$group/cpu.weight" 2>/dev/null || group=""
fi
[ -n "$group" ] || [ "$containers_only" = yes ] \
  || echo "[$name] no cgroup of its own here: it runs at the scenario's weight (nice 10 only)"

# The containers: weighed down once started (one that was given a weight of its own keeps it).
events="$tree.events"
boost="$tree.full-weight" # while it exists, the labelled containers run at the full weight (.ci/full-weight.sh)
rm -f "$events" "$boost" && mkfifo "$events"
docker events --filter type=container --filter event=start --filter "label=$label" --format '{{.ID}}' >"$events" &
watcher=$!
while read -r id; do
  [ "$(docker inspect -f '{{.HostConfig.CpuShares}}' "$id" 2>/dev/null)" = 0 ] || continue
  docker update --cpu-shares "$([ -e "$boost" ] && echo 1024 || echo "$weight")" "$id" >/dev/null 2>&1 || true
done <"$events" &

code=0
(
  [ -z "$group" ] || echo "$BASHPID" >"$group/$([ -f "$group/cgroup.procs" ] && echo cgroup.procs || echo tasks)"
  export BESIDE_FULL_WEIGHT="$src/.ci/full-weight.sh" BESIDE_GROUP="$group" BESIDE_LABEL="$label" BESIDE_WEIGHT="$weight" \
    BESIDE_BOOST="$boost"
  cd "$tree" && exec nice -n "$niceness" "$@"
) || code=$?
kill "$watcher" 2>/dev/null # the loop reading it ends with it
wait
rm -f "$events" "$boost"
[ -z "$group" ] || rmdir "$group" 2>/dev/null || true # empty now: its processes have ended
echo "$code" >"$done_file"
exit "$code"
