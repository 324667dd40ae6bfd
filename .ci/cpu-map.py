#!/usr/bin/env python3
"""Where CI's CPU went, by kind of process, from the kernel's process accounting (acct(5), written by accton).

Usage: cpu-map.py PACCT [TOP]

Every process that exited while accounting was on left a record with its user and system time, also those inside
containers (their records reach the host's file). Long-lived daemons that never exited (dockerd, containerd, the
s3proxy) are not in it, and threads are counted in their process. A JVM is told apart by its size (its record carries
the name of the thread that exited last, not "java") and by where it ran: under a container's shim, or on the host
(stackctl itself, Maven, the tests). Prints one line per kind, most CPU first; never fails CI.
"""
import collections
import datetime
import subprocess
import sys

# Each exec into a container and each container start goes through these: the engine's share of a health check.
ENGINE = {"runc", "exe", "runc:[0:PARENT]", "runc:[1:CHILD]", "runc:[2:INIT]", "containerd-shim", "docker-init"}
JVM_MIN_KB = 1_500_000  # a JVM reserves gigabytes of address space; nothing else here comes near


def records(path):
    out = subprocess.run(["dump-acct", path], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = [x.strip() for x in line.split("|")]
        if len(f) < 15:
            continue
        start = datetime.datetime.strptime(f[14], "%a %b %d %H:%M:%S %Y").timestamp()
        yield dict(comm=f[0], cpu=(float(f[2]) + float(f[3])) / 100, mem=float(f[7]), pid=int(f[9]), ppid=int(f[10]),
                   start=start, end=start + float(f[4]) / 100)


class Processes:
    """The records by pid. pids are reused (tens of thousands of processes against a pid_max of 32768), so a parent is
    the process of that pid that was alive when the child started."""

    def __init__(self, rows):
        self.by_pid = collections.defaultdict(list)
        for r in rows:
            self.by_pid[r["pid"]].append(r)

    def parent(self, r):
        for p in self.by_pid.get(r["ppid"], ()):
            if p["start"] - 1 <= r["start"] <= p["end"] + 1:  # dump-acct gives starts to the second
                return p
        return None


def kind(r, processes):
    comm = r["comm"]
    if comm in ENGINE:
        return "container plumbing (runc, shims: execs, health checks, starts)"
    if comm.startswith("postgres"):
        return "postgres"
    if r["mem"] >= JVM_MIN_KB and not comm.startswith(("chromium", "ThreadPool", "HangWatcher", "dockerd", "containerd")):
        parent, hops = processes.parent(r), 0
        while parent and hops < 6:
            if parent["comm"] in ("containerd-shim", "docker-init"):
                return "JVM in a container (app replicas, upstream agent)"
            parent, hops = processes.parent(parent), hops + 1
        return "JVM on the host (stackctl, Maven and its tests, s3proxy)"
    if comm in ("bash", "sh"):
        return "shell (health checks, ensure scripts, CI scripts)"
    return comm


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    rows = list(records(path))
    processes = Processes(rows)
    cpu, count = collections.Counter(), collections.Counter()
    for r in rows:
        k = kind(r, processes)
        cpu[k] += r["cpu"]
        count[k] += 1
    total = sum(cpu.values())
    print("CPU of the %d processes that exited: %.0f s (%.1f min of one core)" % (len(rows), total, total / 60))
    for k, seconds in cpu.most_common(top):
        print("%8.0f s  %5.1f%%  %6d processes  %s" % (seconds, 100 * seconds / total if total else 0, count[k], k))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a map is a measurement, never a reason for CI to fail
        print("no CPU map: %s" % e)
