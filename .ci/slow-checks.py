#!/usr/bin/env python3
"""The checks that took longest, from the lines the e2e scenarios write to E2E_TIMES (.ci/e2e-lib.sh).

Usage: slow-checks.py TIMES [TOP]

A check's time is from the line before it in its scenario (the step's header or the check before) to its own PASS or
FAIL: the work that check waited for. The step lines in CI's log give whole steps; this says which part of a step.
The waits for CI's clock lock (.ci/clock.sh) are listed after.
Never fails CI.
"""
import sys


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    last, step, checks, waits = {}, {}, [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t", 2)
            if len(parts) < 3 or not parts[0].isdigit():
                continue
            ms, scenario, text = int(parts[0]), parts[1], parts[2]
            if scenario == "clock":  # a note of .ci/clock.sh's, not a check: the wait is in the next check's time
                waits.append(text)
                continue
            if scenario in last and not text.startswith("-- "):
                checks.append((ms - last[scenario], scenario, step.get(scenario, ""), text))
            if text.startswith("-- "):
                step[scenario] = text[3:]
            last[scenario] = ms
    total = sum(c[0] for c in checks)
    print("%d checks, %.0f s between them; the %d longest:" % (len(checks), total / 1000, min(top, len(checks))))
    for ms, scenario, in_step, text in sorted(checks, reverse=True)[:top]:
        print("%6.1f s  %-9s %s  [in: %s]" % (ms / 1000, scenario, text[:110], in_step[:60]))
    if waits:
        print("waits for CI's clock lock (.ci/clock.sh):")
        for text in waits:
            print("          %s" % text[:150])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a map that cannot be drawn must not fail CI
        print("no list of slow checks: %s" % e)
