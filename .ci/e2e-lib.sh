#!/usr/bin/env bash
# Shared by the end-to-end scenarios (.ci/e2e.sh on compose, .ci/e2e-swarm.sh on Swarm): PASS/FAIL lines and their
# counts, exit-code checks, the admin's token, client loops through nginx that count every answer.
passed=0 failed=0
# Where this scenario keeps its scratch files ($e2e.out, $e2e.err, ...): one prefix per scenario, so two can run at once.
e2e="${E2E_PREFIX:-/tmp/e2e}"
# E2E_TIMES (set by .ci/run) gets a line per check and per step, "epoch-ms<TAB>scenario<TAB>line": .ci/slow-checks.py
# names the checks that took longest, where the step lines only give whole steps.
timed() { if [ -n "${E2E_TIMES:-}" ]; then printf '%s\t%s\t%s\n' "$(date +%s%3N)" "$(basename "$0" .sh)" "$*" >>"$E2E_TIMES"; fi; }
pass() { passed=$((passed + 1)); echo "PASS $*"; timed "PASS $*"; }
# E2E_FAILURES (set by .ci/run) collects every FAIL line, so CI's summary can name them at its end.
fail() {
  failed=$((failed + 1)); echo "FAIL $*"; timed "FAIL $*"
  if [ -n "${E2E_FAILURES:-}" ]; then echo "FAILED $(basename "$0" .sh): $*" >>"$E2E_FAILURES"; fi
}
# "e2e: N passed, N failed", and the totals .ci/run hands to CI's summary.
e2e_totals() {
  local name; name=$(basename "$0" .sh)
  local var=E2E; [ "$name" = e2e-swarm ] && var=SWARM
  echo
  echo "$name: $passed passed, $failed failed"
  echo "${var}_PASSED=$passed ${var}_FAILED=$failed" >"/tmp/$name.totals"
}
# set -e ends a scenario at a command that failed outside a check. That is a failure too, named with its line, and
# the totals are still written: CI's summary must never read a scenario that stopped half-way as a clean one.
set -E
trap 'e2e_stop="line $LINENO: $BASH_COMMAND"' ERR
e2e_done=""
e2e_exit() {
  [ -n "$e2e_done" ] && return 0
  fail "$(basename "$0") stopped before its end (exit $1) at ${e2e_stop:-a command that failed}"
  e2e_totals
}
trap 'e2e_exit $?' EXIT
e2e_started=$(date +%s)
# cpu_busy: sets cpu_note to the share of the machine's CPU time that went to work since the last call, from
# /proc/stat (all CPUs; iowait counts as idle). A step near 100% is CPU-bound and would only slow beside other work;
# a low one mostly waits. Not in a $(...): the reading must outlive the call.
cpu_last="" cpu_note=""
cpu_busy() {
  local now
  now=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat 2>/dev/null) || now=""
  cpu_note=""
  if [ -n "$cpu_last" ] && [ -n "$now" ]; then
    cpu_note=$(awk -v a="$cpu_last" -v b="$now" 'BEGIN { split(a, x); split(b, y); w = y[1] - x[1]; t = w + y[2] - x[2];
      if (t > 0) printf "; the step before kept the CPUs %d%% busy", 100 * w / t }')
  fi
  cpu_last=$now
}
# step NAME: a section header with the seconds since the scenario began and how busy the CPUs were in the step before,
# so a CI log shows where the time goes and which steps wait rather than work.
step() { cpu_busy; printf '\n-- %s (+%ss%s)\n' "$*" "$(($(date +%s) - e2e_started))" "$cpu_note"; timed "-- $*"; }
await_markers() { # await_markers WHAT FILE...: waits (30 min at most) until each FILE exists, saying how long it took
  local what="$1" marker waited=0; shift
  for marker in "$@"; do
    [ -e "$marker" ] || echo "waiting for $marker before $what"
    for _ in $(seq 1800); do [ -e "$marker" ] && break; sleep 1; waited=$((waited + 1)); done
  done
  [ "$waited" = 0 ] || echo "waited $waited s before $what"
}
# judged COMMAND... and yielding COMMAND...: under CI's clock lock (.ci/clock.sh says which is which and why): what
# judges answers by the clock under load never runs beside another scenario's heavy commands. Outside CI, the command.
e2e_ci_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
judged() { bash "$e2e_ci_dir/clock.sh" judged "$@"; }
yielding() { bash "$e2e_ci_dir/clock.sh" yielding "$@"; }
expect_exit() { # expect_exit CODE DESCRIPTION -- command...; sets exited_as_wanted (yes/no) for a caller to explain
  local want="$1" what="$2"; shift 3
  local got=0
  "$@" >$e2e.out 2>$e2e.err || got=$?
  exited_as_wanted=no
  if [ "$got" = "$want" ]; then exited_as_wanted=yes; pass "$what (exit $got)"; else
    fail "$what: exit $got, wanted $want"
    tail -n 5 $e2e.err
    # Why, in CI's summary too: the end of CI's log may be all a reader gets (a drill's failed hypotheses, the error).
    if [ -n "${E2E_FAILURES:-}" ]; then
      # (|| true: under set -e a grep that finds no FAIL line ended the whole scenario here, CI run 56.)
      { grep -E '^FAIL ' $e2e.out | head -n 5 || true; tail -n 3 $e2e.err; } | cut -c1-300 | sed 's/^/    /' >>"$E2E_FAILURES" || true
    fi
  fi
}
# schedule_once SECONDS: the scheduled incremental backup and proof due once, SECONDS from now, in compose/.env
# (one-shot Quartz expressions: seconds first, with the year). Sets due (epoch seconds) and exports schedule_since: runs
# recorded before it (a checkout's compose/state from an earlier run) do not count.
schedule_once() {
  due=$(( $(date +%s) + $1 ))
  local when; when=$(date -u -d "@$due" '+%S %M %H %d %m ? %Y')
  sed -i "s/^BACKUP_SCHEDULE_INCR=.*/BACKUP_SCHEDULE_INCR=$when/; s/^BACKUP_SCHEDULE_PROVE=.*/BACKUP_SCHEDULE_PROVE=$when/" compose/.env
  export schedule_since; schedule_since=$(date -u +%Y-%m-%dT%H:%M:%S)
}
# object_heads DIR: the distinct first 8 bytes of the non-empty files under DIR, one per line (an S3 store's objects:
# OpenSSL ciphertext starts "Salted__"). One reader for all: a head per file was two processes for each of thousands.
object_heads() {
  python3 -c 'import os, sys
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        with open(os.path.join(d, f), "rb") as o:
            h = o.read(8)
        if h:
            print(h.decode("latin-1"))' "$1" | sort -u
}
# nginx serves HTTPS (plain HTTP redirects to it); curl trusts the stack's own CA, which the first `up` makes.
url="https://127.0.0.1:${STACK_HTTPS_PORT:-8443}"
export CURL_CA_BUNDLE="$PWD/compose/tls/ca.crt"
login() { # login: a token for the admin account of compose/.env in $e2e.token, which every API call below sends
  local password
  password=$(sed -n 's/^ADMIN_PASSWORD=//p' compose/.env)
  curl -s -X POST -H 'content-type: application/json' -d "{\"username\":\"admin\",\"password\":\"$password\"}" \
    "$url/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' >$e2e.token || true
}
bearer() { printf 'Authorization: Bearer %s' "$(cat $e2e.token 2>/dev/null)"; }
instances() { # instances N: distinct X-Instance values over N requests through nginx
  local auth; auth=$(bearer)
  for _ in $(seq "$1"); do curl -s -o /dev/null -D - -H "$auth" "$url/tasks?limit=1" | tr -d '\r' | sed -n 's/^X-Instance: //Ip'; done | sort -u | wc -l
}
# A client loop is one curl sending one request at a time, at most 25 a second, each on a new connection with its
# own TLS handshake (as separate clients would; HTTP/1.1, since over HTTP/2 curl keeps one connection whatever
# "Connection: close" says), and writing one status line per request (000: no answer within 5 s). One process, not
# one per request: spawning curl 200 times a second took about half of this machine's two cores from the stack
# being measured. Each loop writes its own file (curl writes a status line in pieces, and three loops appending to
# one file interleaved them); loops_end joins them into $e2e.codes, which the checks read. Bounded in count
# (50,000) as in time (--rate).
client_loop_append() { # client_loop_append N (each request bounded by $client_max_time, 5 s unless set)
  exec curl -s --http1.1 -o /dev/null -w '%{stderr}%{http_code}\n' --max-time "${client_max_time:-5}" --rate 25/s -H 'Connection: close' \
    -H "$(bearer)" "$url/tasks?limit=5&loop=[1-50000]" 2>$e2e.codes.$1
}
loops_start() { # loops_start N: N client loops in parallel
  rm -f $e2e.codes $e2e.codes.* $e2e.stop
  loop_pids=()
  for i in $(seq "$1"); do client_loop_append "$i" & loop_pids+=("$!"); done
  sleep 1
}
loops_end() { # ends the loops, joins their status lines into $e2e.codes (and tells samplers watching $e2e.stop)
  touch $e2e.stop
  kill "${loop_pids[@]}" 2>/dev/null || true
  wait "${loop_pids[@]}" 2>/dev/null || true
  local f
  : >$e2e.codes
  for f in $e2e.codes.*; do
    [ -f "$f" ] || continue
    # A loop ended while it wrote a line leaves it unfinished: that request was not answered yet, not failed.
    [ -n "$(tail -c 1 "$f")" ] && sed -i '$d' "$f"
    cat "$f" >>$e2e.codes
  done
}
loops_stop() { # loops_stop WHAT: stops the loops and checks that every request got a 200
  sleep 1
  loops_end
  local total bad
  total=$(wc -l <$e2e.codes)
  bad=$(grep -vc '^200$' $e2e.codes || true)
  echo "client loops: $total requests, $bad not 200"
  # What the failed ones got (000: no answer within 5 s, or the connection or TLS handshake failed).
  [ "$bad" = 0 ] || grep -v '^200$' $e2e.codes | sort | uniq -c | sed 's/^/  answered /'
  [ "$total" -gt 50 ] && [ "$bad" = 0 ] && pass "$1: 0 of $total requests failed" || fail "$1: $bad of $total requests failed"
}
status_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
