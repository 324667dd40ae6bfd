#!/usr/bin/env bash
# The perf issue's measurement: wrk at 64 connections through nginx, the stack's paths against nginx answering
# a constant (/nginx-health), on the same machine in the same run. Needs a running stack and wrk
# (apt-get install wrk). Usage: perf/wrk/ratios.sh [BASE_URL] [SECONDS]
set -euo pipefail
url="${1:-http://127.0.0.1:${STACK_HTTP_PORT:-8080}}"
seconds="${2:-10}"
here="$(cd "$(dirname "$0")" && pwd)"
command -v wrk >/dev/null || { echo "error: wrk is not installed" >&2; echo "hint: apt-get install -y wrk" >&2; exit 3; }
curl -fsS -o /dev/null "$url/ready" || { echo "error: $url/ready does not answer 200" >&2; echo "hint: bin/stackctl up" >&2; exit 3; }

ids=()
for i in $(seq 200); do
  ids+=("$(curl -fsS -XPOST "$url/tasks" -H 'Content-Type: application/json' -d "{\"title\":\"wrk seed $i\"}" \
    | sed -n 's/.*"task":{"id":\([0-9]*\).*/\1/p')")
done
export IDS; IDS="$(IFS=,; echo "${ids[*]}")"
for id in "${ids[@]}"; do curl -fsS -o /dev/null "$url/tasks/$id"; done
curl -fsS -o /dev/null "$url/tasks?limit=100"

run() { # run NAME ARGS...: warm 3 s, then measure; prints "NAME req/s p50 p99"
  local name="$1"; shift
  wrk -t2 -c64 -d3s "$@" >/dev/null
  wrk -t2 -c64 -d"${seconds}s" --latency "$@" | awk -v n="$name" '
    /Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} /Non-2xx/ {bad=$NF}
    END {printf "%s %s %s %s %s\n", n, rps, p50, p99, (bad == "" ? 0 : bad)}'
}
{
  run constant "$url/nginx-health"
  run task -s "$here/task.lua" "$url"
  run list100 "$url/tasks?limit=100"
  run mix -s "$here/mix.lua" "$url"
} | awk '
  BEGIN {printf "%-10s %10s %9s %9s %8s %7s\n", "PATH", "REQ/S", "P50", "P99", "NON-2XX", "RATIO"}
  NR == 1 {base = $2}
  {printf "%-10s %10.0f %9s %9s %8s %7.3f\n", $1, $2, $3, $4, $5, $2 / base}'
