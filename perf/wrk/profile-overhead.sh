#!/usr/bin/env bash
# What the monitoring profile costs the cached read (issue 22): wrk at 64 connections on a cached GET /tasks/{id}
# through nginx, with the profile off and on in turn (bin/stackctl up --no-monitoring / --monitoring between runs, then
# until the machine is quiet again), each run beside nginx's own constant (/nginx-health) in the same minute. Rep 0 warms both up and is not counted (measured:
# the first run after a start served 40-60% of the later ones). Prints each run, then the overhead of the mean req/s,
# 1 - on / off, and the same of the ratios to the constant. Beside each run with the profile on, the CPU its containers
# used during the cached reads, as a share of all the CPU the machine used then (PROFILE_CPU): throughput on two
# shared cores moves a few % between identical runs, and this says where the profile's part of it went.
# RATE=N: the cost instead of the throughput. h2load offers N cached reads a second, a rate both modes serve in full,
# and each run reports the machine's CPU time per read (user + system + interrupts, /proc/stat: no steal, so a
# neighbour's load on the host does not count) and the overhead is 1 - off / on of it. A saturated run's req/s moves
# with everything else the host does (two identical runs a minute apart: 30% apart); the CPU a read costs moves far
# less, and on a saturated host it is what bounds the req/s. Beside it, the same in the stack's containers alone (their
# cgroups' CPU, the profile's included): what the stack costs, without the load generator on the same cores, dockerd
# and the host's own work (a pair still moves up to 8-12% either way: use ten pairs or more).
# Needs a running stack, wrk (apt-get install wrk; h2load, from nghttp2-client, for RATE), and the monitoring image
# (compose/images/build.sh monitoring).
#   [PAUSE=1] [RATE=N] perf/wrk/profile-overhead.sh [SECONDS] [REPS]
set -euo pipefail
seconds="${1:-10}"
reps="${2:-3}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
url="https://127.0.0.1:${STACK_HTTPS_PORT:-8443}"
export CURL_CA_BUNDLE="${STACK_CA:-$root/compose/tls/ca.crt}"
command -v wrk >/dev/null || { echo "error: wrk is not installed" >&2; echo "hint: apt-get install -y wrk" >&2; exit 3; }
token="$(sed -n 's/^OPS_TOKEN=//p' "$root/compose/.env")"
auth="Authorization: Bearer $token"
export IDS; IDS="$(curl -fsS -H "$auth" "$url/tasks?limit=200" | python3 -c 'import json,sys; print(",".join(str(t["id"]) for t in json.load(sys.stdin)["tasks"]))')"
[ -n "$IDS" ] || { echo "error: no task to read" >&2; echo "hint: run perf/wrk/ratios.sh once (it seeds 1000)" >&2; exit 3; }
rps() { # rps ARGS...: warm 3 s, then req/s over $seconds
  wrk -t2 -c64 -d3s -H "$auth" "$@" >/dev/null
  wrk -t2 -c64 -d"${seconds}s" -H "$auth" "$@" | awk '/Requests\/sec/ {print $2}'
}
machine_ns() { awk '/^cpu / {printf "%.0f", ($2 + $3 + $4 + $7 + $8) * 1e9 / 100}' /proc/stat; } # busy, at USER_HZ 100
busy_pct() { # busy_pct SECONDS: how busy the two cores were over the next SECONDS
  local a b
  a=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat); sleep "$1"
  b=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {split(a, x, " "); split(b, y, " "); print int(100 * (y[1] - x[1]) / (y[1] - x[1] + y[2] - x[2]))}'
}
# Switches the profile, then waits for the machine to be as quiet as an idle stack (two 5 s windows under 30% busy, at
# most 2 min): a fixed 20 s measured Prometheus' start (its WAL replay, first scrapes and rules), not its steady cost.
# PAUSE=1: the profile stays deployed (up --monitoring first), and "off" pauses its containers and takes nginx's edge
# log out (a reload): a switch of seconds instead of minutes, so many short pairs fit in the minutes the machine's speed
# holds still (here two identical 20 s runs a minute apart differed by up to 30%). What stays of the profile when off:
# its memory, and the health checks' attempts on paused containers (refused at once, no exec).
project="${COMPOSE_PROJECT_NAME:-taskmanager}"
edge_include="$root/compose/generated/monitoring/edge-status.nginx"
profile_ids() { # the full ids (cgroups are named by them) of the monitoring profile's containers
  docker ps -aq --no-trunc --filter label=com.docker.compose.project="$project" | while read -r id; do
    case "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' "$id")" in
      prometheus | alertmanager | *-exporter) echo "$id" ;;
    esac
  done
}
cpu_ns() { # cpu_ns ID...: CPU nanoseconds these containers have used so far (cgroup v2 or v1)
  local total=0 id used
  for id in "$@"; do
    if [ -r "/sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat" ]; then
      used=$(awk '$1 == "usage_usec" {printf "%.0f", $2 * 1000}' "/sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat")
    else
      used=$(cat "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage" 2>/dev/null || echo 0)
    fi
    total=$((total + used))
  done
  echo "$total"
}
profile_ns() { cpu_ns $(profile_ids); } # the monitoring profile's containers
stack_ns() { cpu_ns $(docker ps -q --no-trunc --filter label=com.docker.compose.project="$project"); } # all, the profile's too
nginx_reload() {
  docker exec "$(docker ps -q --filter label=com.docker.compose.project="$project" --filter label=com.docker.compose.service=nginx)" \
    nginx -s reload >/dev/null 2>&1
}
if [ -n "${PAUSE:-}" ]; then
  [ -f "$edge_include" ] || { echo "error: PAUSE=1 needs the profile on" >&2; echo "hint: bin/stackctl up --monitoring" >&2; exit 3; }
  paused_ids=$(profile_ids)
  trap 'docker unpause $paused_ids >/dev/null 2>&1; [ -f "$edge_include.off" ] && mv "$edge_include.off" "$edge_include" && nginx_reload' EXIT
fi
profile() {
  if [ -n "${PAUSE:-}" ]; then
    if [ "$1" = monitoring ]; then
      docker unpause $paused_ids >/dev/null 2>&1 || true
      [ ! -f "$edge_include.off" ] || mv "$edge_include.off" "$edge_include"
    else
      docker pause $paused_ids >/dev/null 2>&1 || true
      [ ! -f "$edge_include" ] || mv "$edge_include" "$edge_include.off"
    fi
    nginx_reload
    sleep 3
    return
  fi
  "$root/bin/stackctl" up "--$1" >/dev/null 2>&1
  local quiet=0 waited=0
  while [ "$quiet" -lt 2 ] && [ "$waited" -lt 120 ]; do
    if [ "$(busy_pct 5)" -lt 30 ]; then quiet=$((quiet + 1)); else quiet=0; fi
    waited=$((waited + 5))
  done
}
if [ -n "${RATE:-}" ]; then
  command -v h2load >/dev/null || { echo "error: RATE needs h2load" >&2; echo "hint: apt-get install -y nghttp2-client" >&2; exit 3; }
  clients=16
  per_client=$(( (RATE + clients - 1) / clients ))
  urls=$(mktemp) # not a trap of its own: PAUSE=1's trap unpauses the profile on the way out
  tr ',' '\n' <<<"$IDS" | sed "s|^|$url/tasks/|" >"$urls"
  offered() { # offered SECONDS: h2load at the rate for SECONDS; prints "succeeded failed"
    h2load -D "$1" -c "$clients" --rps "$per_client" -H "$auth" -i "$urls" 2>/dev/null \
      | awk '/^requests:/ {print $8, $10}'
  }
  printf '%-4s %-8s %8s %8s %14s %16s %12s\n' REP PROFILE SERVED FAILED CPU_US_PER_READ STACK_US_PER_READ PROFILE_CPU
  sum_off=0 sum_on=0 cpu_on=0 stack_off=0 stack_on=0
  for rep in $(seq 0 "$reps"); do
    for mode in no-monitoring monitoring; do
      profile "$mode"
      offered 3 >/dev/null
      profile0=$(profile_ns); machine0=$(machine_ns); stack0=$(stack_ns)
      read -r served failed <<<"$(offered "$seconds")"
      used=$(( $(machine_ns) - machine0 )); stack_used=$(( $(stack_ns) - stack0 ))
      share=$(awk -v p="$(( $(profile_ns) - profile0 ))" -v m="$used" 'BEGIN {printf "%.1f%%", 100 * p / m}')
      per_read=$(awk -v u="$used" -v n="$served" 'BEGIN {printf "%.1f", (n > 0 ? u / n / 1000 : 0)}')
      stack_read=$(awk -v u="$stack_used" -v n="$served" 'BEGIN {printf "%.1f", (n > 0 ? u / n / 1000 : 0)}')
      printf '%-4s %-8s %8s %8s %14s %16s %12s\n' "$rep" "$([ "$mode" = monitoring ] && echo on || echo off)" "$served" \
        "$failed" "$per_read" "$stack_read" "$([ "$mode" = monitoring ] && echo "$share" || echo -)"
      [ "$rep" = 0 ] && continue
      if [ "$mode" = monitoring ]; then
        sum_on=$(awk -v s="$sum_on" -v r="$per_read" 'BEGIN {print s + r}')
        stack_on=$(awk -v s="$stack_on" -v r="$stack_read" 'BEGIN {print s + r}')
        cpu_on=$(awk -v s="$cpu_on" -v r="${share%\%}" 'BEGIN {print s + r}')
      else
        sum_off=$(awk -v s="$sum_off" -v r="$per_read" 'BEGIN {print s + r}')
        stack_off=$(awk -v s="$stack_off" -v r="$stack_read" 'BEGIN {print s + r}')
      fi
    done
  done
  awk -v on="$sum_on" -v off="$sum_off" -v son="$stack_on" -v soff="$stack_off" -v cpu="$cpu_on" -v n="$reps" -v rate="$RATE" 'BEGIN {
    printf "overhead of the profile on the cached read at %d req/s: %.1f%% more CPU per read (%.1f us on, %.1f us off)\n",
      rate, 100 * (on / off - 1), on / n, off / n
    printf "in the stack'"'"'s containers alone (the profile'"'"'s with them; not the load generator, dockerd or the kernel'"'"'s own): %.1f%% (%.1f us on, %.1f us off)\n",
      100 * (son / soff - 1), son / n, soff / n
    printf "the profile'"'"'s containers used %.1f%% of the CPU the machine used under the reads\n", cpu / n }'
  rm -f "$urls"
  exit 0
fi
printf '%-4s %-8s %10s %10s %7s %12s\n' REP PROFILE CONSTANT TASK RATIO PROFILE_CPU
sum_off=0 sum_on=0 raw_off=0 raw_on=0 cpu_on=0
for rep in $(seq 0 "$reps"); do
  for mode in no-monitoring monitoring; do
    profile "$mode"
    constant=$(rps "$url/nginx-health")
    wrk -t2 -c64 -d3s -H "$auth" -s "$here/task.lua" "$url" >/dev/null
    profile0=$(profile_ns); machine0=$(machine_ns)
    run=$(wrk -t2 -c64 -d"${seconds}s" -H "$auth" -s "$here/task.lua" "$url")
    task=$(awk '/Requests\/sec/ {print $2}' <<<"$run")
    used=$(( $(machine_ns) - machine0 ))
    share=$(awk -v p="$(( $(profile_ns) - profile0 ))" -v m="$used" 'BEGIN {printf "%.1f%%", 100 * p / m}')
    ratio=$(awk -v t="$task" -v c="$constant" 'BEGIN {printf "%.4f", t / c}')
    printf '%-4s %-8s %10.0f %10.0f %7s %12s\n' "$rep" "$([ "$mode" = monitoring ] && echo on || echo off)" "$constant" \
      "$task" "$ratio" "$([ "$mode" = monitoring ] && echo "$share" || echo -)"
    [ "$rep" = 0 ] && continue
    if [ "$mode" = monitoring ]; then
      sum_on=$(awk -v s="$sum_on" -v r="$ratio" 'BEGIN {print s + r}'); raw_on=$(awk -v s="$raw_on" -v r="$task" 'BEGIN {print s + r}')
      cpu_on=$(awk -v s="$cpu_on" -v r="${share%\%}" 'BEGIN {print s + r}')
    else
      sum_off=$(awk -v s="$sum_off" -v r="$ratio" 'BEGIN {print s + r}'); raw_off=$(awk -v s="$raw_off" -v r="$task" 'BEGIN {print s + r}')
    fi
  done
done
awk -v on="$raw_on" -v off="$raw_off" -v ron="$sum_on" -v roff="$sum_off" -v cpu="$cpu_on" -v n="$reps" 'BEGIN {
  printf "overhead of the profile on the cached read: %.1f%% of req/s (%.0f on, %.0f off), %.1f%% of the ratio to the constant\n",
    100 * (1 - on / off), on / n, off / n, 100 * (1 - ron / roff)
  printf "the profile'"'"'s containers used %.1f%% of the CPU the machine used under the cached reads\n", cpu / n }'
