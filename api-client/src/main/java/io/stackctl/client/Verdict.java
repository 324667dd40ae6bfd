package io.stackctl.client;

import java.util.ArrayList;
import java.util.List;

/** One check of a run against a target or a baseline. */
public record Verdict(String check, String metric, double limit, double measured, boolean passed) {

    /** The profile's targets against a simulation's overall figures. */
    public static List<Verdict> againstTargets(Stats overall, Targets.Limits limits) {
        List<Verdict> verdicts = new ArrayList<>();
        verdicts.add(atMost("target", "p50_ms", limits.p50Ms(), overall.p50Ms()));
        verdicts.add(atMost("target", "p95_ms", limits.p95Ms(), overall.p95Ms()));
        verdicts.add(atMost("target", "p99_ms", limits.p99Ms(), overall.p99Ms()));
        verdicts.add(atMost("target", "error_pct", limits.maxErrorPct(), overall.errorPct()));
        verdicts.add(new Verdict("target", "rps", limits.minRps(), overall.rps(), overall.rps() >= limits.minRps()));
        return verdicts;
    }

    /**
     * A regression is a latency worse than the baseline by more than {@code relative} (0.2 = 20%) and by more
     * than {@code absoluteMs}: both, so a 1 ms to 2 ms change is not a 100% regression. Throughput regresses
     * when it drops by more than {@code relative}.
     */
    public static List<Verdict> againstBaseline(Stats current, Stats baseline, double relative, long absoluteMs) {
        List<Verdict> verdicts = new ArrayList<>();
        verdicts.add(latency("p50_ms", baseline.p50Ms(), current.p50Ms(), relative, absoluteMs));
        verdicts.add(latency("p95_ms", baseline.p95Ms(), current.p95Ms(), relative, absoluteMs));
        verdicts.add(latency("p99_ms", baseline.p99Ms(), current.p99Ms(), relative, absoluteMs));
        double minRps = baseline.rps() * (1 - relative);
        verdicts.add(new Verdict("baseline", "rps", round(minRps), current.rps(), current.rps() >= minRps));
        return verdicts;
    }

    private static Verdict latency(String metric, long baseline, long current, double relative, long absoluteMs) {
        double limit = Math.max(baseline * (1 + relative), baseline + absoluteMs);
        return new Verdict("baseline", metric, round(limit), current, current <= limit);
    }

    private static Verdict atMost(String check, String metric, double limit, double measured) {
        return new Verdict(check, metric, limit, measured, measured <= limit);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
