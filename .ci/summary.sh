#!/usr/bin/env bash
# Totals over every surefire and failsafe report of the build, as one last line: "N passed, N failed".
# The failed test cases are named just above it, so the end of CI's log says which checks failed, not only how many.
# Usage: summary.sh [TREE]: the reports under TREE (the tree verify ran in; this one by default).
set -euo pipefail
# A tree verify never ran in (CI stopped before) has no report: its tests count as none, not this tree's.
if [ -d "${1:-.}" ]; then cd "${1:-.}"; else cd "$(mktemp -d)"; fi
tests=0 failed=0 skipped=0
failures=()
shopt -s nullglob
for report in */target/surefire-reports/TEST-*.xml */target/failsafe-reports/TEST-*.xml; do
  head=$(grep -m1 '<testsuite' "$report")
  t=$(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$head")
  f=$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$head")
  e=$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$head")
  s=$(sed -n 's/.* skipped="\([0-9]*\)".*/\1/p' <<<"$head")
  tests=$((tests + ${t:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + ${s:-0}))
  if [ $(( ${f:-0} + ${e:-0} )) -gt 0 ]; then
    # A failed <testcase> is followed by its <failure> or <error> element: print the case and the message's start.
    while IFS= read -r line; do failures+=("$line"); done < <(awk '
      /<testcase / { match($0, /name="[^"]*"/); name = substr($0, RSTART + 6, RLENGTH - 7)
                     match($0, /classname="[^"]*"/); cls = substr($0, RSTART + 11, RLENGTH - 12) }
      /<(failure|error)[ >]/ { msg = ""; if (match($0, /message="[^"]*"/)) msg = substr($0, RSTART + 9, RLENGTH - 10)
                     printf "FAILED %s.%s: %s\n", cls, name, substr(msg, 1, 300) }' "$report")
  fi
done
extra_passed=$(( ${E2E_PASSED:-0} + ${SWARM_PASSED:-0} )) extra_failed=$(( ${E2E_FAILED:-0} + ${SWARM_FAILED:-0} ))
passed=$((tests - failed - skipped + extra_passed))
failed=$((failed + extra_failed))
if [ "${#failures[@]}" -gt 0 ]; then printf '%s\n' "${failures[@]}"; fi
if [ -s "${E2E_FAILURES:-}" ]; then cat "$E2E_FAILURES"; fi
echo "skipped: $skipped"
echo "$passed passed, $failed failed"
