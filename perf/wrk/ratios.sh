#!/usr/bin/env bash
# The perf issue's measurement: wrk at 64 connections through nginx, the stack's paths against nginx answering a
# constant (/nginx-health), on the same machine in the same run, each as a ratio to that constant. Requests carry
# the stack's operator token (OPS_TOKEN from compose/.env, or TOKEN): it acts as the admin, who is not rate limited.
# Needs a running stack and wrk (apt-get install wrk).
#   perf/wrk/ratios.sh [BASE_URL] [SECONDS] [REPS]   (reps are interleaved: every path once, then again)
set -euo pipefail
url="${1:-https://127.0.0.1:${STACK_HTTPS_PORT:-8443}}"  # http://127.0.0.1:8080 with STACK_TLS=off
seconds="${2:-10}"
reps="${3:-1}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# curl trusts the stack's own CA (wrk checks no certificate); a host's CURL_CA_BUNDLE (often the system bundle) must
# not win over it. STACK_CA names another CA for an edge certificate of your own.
ca="${STACK_CA:-$root/compose/tls/ca.crt}"
[ -f "$ca" ] && export CURL_CA_BUNDLE="$ca"
command -v wrk >/dev/null || { echo "error: wrk is not installed" >&2; echo "hint: apt-get install -y wrk" >&2; exit 3; }
curl -fsS -o /dev/null "$url/ready" || { echo "error: $url/ready does not answer 200" >&2; echo "hint: bin/stackctl up" >&2; exit 3; }
token="${TOKEN:-$(sed -n 's/^OPS_TOKEN=//p' "$root/compose/.env" 2>/dev/null || true)}"
[ -n "$token" ] || { echo "error: no token: compose/.env has no OPS_TOKEN" >&2; echo "hint: TOKEN=<an admin's token> $0" >&2; exit 3; }
auth="Authorization: Bearer $token"

# 1000 tasks: the list of 1000 needs them; reads and updates go to the first 200.
have=$(curl -fsS -H "$auth" "$url/tasks?limit=1000" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
for i in $(seq $((have + 1)) 1000); do
  curl -fsS -o /dev/null -XPOST "$url/tasks" -H "$auth" -H 'Content-Type: application/json' -d "{\"title\":\"wrk seed $i\"}"
done
export IDS; IDS="$(curl -fsS -H "$auth" "$url/tasks?limit=200" | python3 -c 'import json,sys; print(",".join(str(t["id"]) for t in json.load(sys.stdin)["tasks"]))')"

run() { # run NAME ARGS...: warm 3 s, then measure; prints "NAME req/s p50 p99 non2xx"
  local name="$1"; shift
  wrk -t2 -c64 -d3s -H "$auth" "$@" >/dev/null
  wrk -t2 -c64 -d"${seconds}s" --latency -H "$auth" "$@" | awk -v n="$name" '
    /Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} /Non-2xx/ {bad=$NF}
    END {printf "%s %s %s %s %s\n", n, rps, p50, p99, (bad == "" ? 0 : bad)}'
}
for rep in $(seq "$reps"); do
  {
    run constant "$url/nginx-health"
    run live "$url/live"
    run task -s "$here/task.lua" "$url"
    run list100 "$url/tasks?limit=100"
    run list1000 "$url/tasks?limit=1000"
    run mix -s "$here/mix.lua" "$url"
  } | awk -v rep="$rep" '
    BEGIN {printf "rep %s\n%-10s %10s %9s %9s %8s %7s\n", rep, "PATH", "REQ/S", "P50", "P99", "NON-2XX", "RATIO"}
    NR == 1 {base = $2}
    {printf "%-10s %10.0f %9s %9s %8s %7.3f\n", $1, $2, $3, $4, $5, $2 / base}'
done
