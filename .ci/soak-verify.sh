#!/usr/bin/env bash
# Runs ./mvnw verify RUNS times as CI runs it beside the compose scenario (.ci/beside.sh: a copy of the tree, a quarter
# of the CPU weight), while a load at the full weight keeps the 2 cores busy: two burners, each busy 3 s in every 5
# and out of step, so about 1.2 cores on average with stretches of both, where the scenario's backups and drills keep
# 0.6-1 busy. A test that outruns its own wait when starved fails here long before it fails 1 CI run in 20.
#
# Usage: .ci/soak-verify.sh RUNS [OUT]   (an engine running: bash .ci/start-engine.sh)
#   OUT  where each run's log goes (default /tmp/soak-verify); its results.txt has a line per run.
# Ends with "N passed, N failed" over the runs; exits 1 if any failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:?usage: .ci/soak-verify.sh RUNS [OUT]}" out="${2:-/tmp/soak-verify}"
case "$runs" in '' | *[!0-9]*) echo "RUNS must be a whole number, not '$runs'" >&2; exit 2 ;; esac
mkdir -p "$out" && rm -f "$out/results.txt" "$out/stop"
docker info >/dev/null 2>&1 || { echo "no Docker engine answers: start one (bash .ci/start-engine.sh)" >&2; exit 3; }
# The images the container tests use, as CI exports them.
while IFS='=' read -r name image; do export "$name=$image"; done < <(compose/images/build.sh 2>"$out/images.log")
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost TESTCONTAINERS_PULL_TIMEOUT=5

burn() { # burn OFFSET: busy 3 s in every 5 until $out/stop exists
  sleep "$1"
  while [ ! -e "$out/stop" ]; do timeout 3 sh -c 'while :; do :; done'; sleep 2; done
}
burn 0 & burners=$!
burn 2.5 & burners="$burners $!"
trap 'touch "$out/stop"; kill $burners 2>/dev/null' EXIT

passed=0 failed=0
for i in $(seq "$runs"); do
  start=$(date +%s) code=0
  bash .ci/beside.sh soak org.testcontainers=true "$out/done.$i" -- ./mvnw -B -ntp -fae -T 2 verify >"$out/verify.$i.log" 2>&1 \
    || code=$?
  took=$(($(date +%s) - start))
  if [ "$code" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  # The failed test cases as CI names them, from the reports of the copy verify ran in (/tmp/ci-soak).
  echo "run $i: exit $code in $took s; $(bash .ci/summary.sh /tmp/ci-soak | grep '^FAILED' | head -n 5 | tr '\n' ' ')" \
    | tee -a "$out/results.txt"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
