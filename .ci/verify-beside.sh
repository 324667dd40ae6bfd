#!/usr/bin/env bash
# ./mvnw verify (the README's test command) beside the compose scenario, on what CPU the scenario leaves idle.
#
# Usage: verify-beside.sh TREE LOG DONE
#   TREE  a copy of this working tree to build in (made anew): verify packages the jars again, and bin/stackctl in the
#         scenario beside it must never read a jar half written, nor find it newer and rebuild it
#   LOG   Maven's output
#   DONE  written last, with Maven's exit status: the scenario's sections that need the machine to themselves (the
#         latency gate of bench, the engine restart) wait for it
#
# Why beside and not before: the scenario's backups and drills leave more than half of the 2 cores idle (waits on
# archiving, restores, fault windows; CI run 41: 29-49% busy over 9 minutes), and verify's 2.7 minutes of its own then
# cost CI nothing but what verify takes from the scenario. So that is little, verify runs at a lower CPU weight: its
# JVMs (Maven, the test forks) in a cgroup of their own, and the containers the tests start (Testcontainers labels
# them) weighed down as they start. The tests' own waits are bounded in seconds and were written for a host busy with
# two test forks at once.
set -uo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tree="$1" log="$2" done_file="$3"
weight=256 # of 1024: a nice-0 process, or a container, of the scenario's
rm -f "$done_file"

rm -rf "$tree" && mkdir -p "$tree"
# The working tree as it is (tracked and new files, not what .gitignore names: no target/, no compose/.env).
(cd "$src" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -C "$tree" -xf -

# The JVMs: cgroup v1's cpu.shares or v2's cpu.weight (best effort: a host that does not let us still runs verify).
group=""
if [ -d /sys/fs/cgroup/cpu ] && mkdir -p /sys/fs/cgroup/cpu/ci-verify 2>/dev/null; then
  group=/sys/fs/cgroup/cpu/ci-verify
  echo "$weight" >"$group/cpu.shares" 2>/dev/null || group=""
elif [ -f /sys/fs/cgroup/cgroup.controllers ] && mkdir -p /sys/fs/cgroup/ci-verify 2>/dev/null; then
  echo +cpu >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
  group=/sys/fs/cgroup/ci-verify
  echo $((weight * 100 / 1024)) >"$group/cpu.weight" 2>/dev/null || group=""
fi
[ -n "$group" ] || echo "[verify] no cgroup of its own here: verify runs at the scenario's weight (nice 10 only)"

# The containers: weighed down once started (a test that sets a weight of its own keeps it).
events="$tree.events"
rm -f "$events" && mkfifo "$events"
docker events --filter type=container --filter event=start --filter label=org.testcontainers=true --format '{{.ID}}' \
  >"$events" &
watcher=$!
while read -r id; do
  [ "$(docker inspect -f '{{.HostConfig.CpuShares}}' "$id" 2>/dev/null)" = 0 ] || continue
  docker update --cpu-shares "$weight" "$id" >/dev/null 2>&1 || true
done <"$events" &

code=0
(
  [ -z "$group" ] || echo "$BASHPID" >"$group/$([ -f "$group/cgroup.procs" ] && echo cgroup.procs || echo tasks)"
  cd "$tree" && exec nice -n 10 ./mvnw -B -ntp -fae -T 2 verify
) >"$log" 2>&1 || code=$?
kill "$watcher" 2>/dev/null # the loop reading it ends with it
wait
rm -f "$events"
echo "$code" >"$done_file"
exit "$code"
