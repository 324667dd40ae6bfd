#!/usr/bin/env bash
# Totals over every surefire and failsafe report of the build, as one last line: "N passed, N failed".
set -euo pipefail
tests=0 failed=0 skipped=0
shopt -s nullglob
for report in */target/surefire-reports/TEST-*.xml */target/failsafe-reports/TEST-*.xml; do
  head=$(grep -m1 '<testsuite' "$report")
  t=$(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$head")
  f=$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$head")
  e=$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$head")
  s=$(sed -n 's/.* skipped="\([0-9]*\)".*/\1/p' <<<"$head")
  tests=$((tests + ${t:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + ${s:-0}))
done
extra_passed=$(( ${E2E_PASSED:-0} + ${SWARM_PASSED:-0} )) extra_failed=$(( ${E2E_FAILED:-0} + ${SWARM_FAILED:-0} ))
passed=$((tests - failed - skipped + extra_passed))
failed=$((failed + extra_failed))
echo "skipped: $skipped"
echo "$passed passed, $failed failed"
