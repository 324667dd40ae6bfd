#!/usr/bin/env bash
# The smoke gate's own measurement: runs `bin/stackctl bench --profile smoke` N times in a row against the running
# stack, optionally with a CPU hog beside it (what CI's other work does to the machine), and prints per simulation
# the spread of p50/p95/p99/max over the runs and how many runs exited 0. perf/targets.json's smoke limits come
# from this. Usage: perf/smoke-distribution.sh [RUNS] [--busy]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-20}"
busy="${2:-}"
out="${TMPDIR:-/tmp}/smoke-distribution"
rm -rf "$out" && mkdir -p "$out"

hog=""
if [ "$busy" = "--busy" ]; then
  # One core kept busy for the whole measurement: the other CI work (a build, a second stack) is at least this.
  echo "[smoke] a busy loop on one core for the whole measurement"
  ( end=$((SECONDS + 3600)); while [ "$SECONDS" -lt "$end" ]; do :; done ) &
  hog=$!
fi
trap '[ -n "$hog" ] && kill "$hog" 2>/dev/null || true' EXIT

passed=0
for i in $(seq "$runs"); do
  code=0
  bin/stackctl bench --profile smoke -o json >"$out/run-$i.json" 2>"$out/run-$i.err" || code=$?
  [ "$code" = 0 ] && passed=$((passed + 1))
  echo "[smoke] run $i of $runs: exit $code"
done

python3 - "$out" "$runs" "$passed" <<'PY'
import glob, json, sys
out, runs, passed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
figures = {}
for path in sorted(glob.glob(out + "/run-*.json")):
    try:
        doc = json.load(open(path))
    except ValueError:
        continue
    for sim in doc.get("simulations", []):
        o = sim["overall"]
        figures.setdefault(sim["simulation"], []).append(
            (o["p50_ms"], o["p95_ms"], o["p99_ms"], o["max_ms"], o["errors"]))
print(f"{passed} of {runs} runs exited 0")
print("| simulation | runs | p50 ms (min-max) | p95 ms (min-median-max) | p99 ms (min-median-max) | max ms (max) | errors |")
print("|---|---:|---|---|---|---:|---:|")
for name, rows in figures.items():
    col = lambda k: sorted(r[k] for r in rows)
    med = lambda v: v[len(v) // 2]
    p50, p95, p99, mx, err = col(0), col(1), col(2), col(3), col(4)
    print(f"| {name} | {len(rows)} | {p50[0]}-{p50[-1]} | {p95[0]}-{med(p95)}-{p95[-1]} | "
          f"{p99[0]}-{med(p99)}-{p99[-1]} | {mx[-1]} | {sum(err)} |")
PY
