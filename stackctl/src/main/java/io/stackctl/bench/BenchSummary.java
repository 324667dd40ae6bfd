package io.stackctl.bench;

import io.stackctl.client.Stats;
import io.stackctl.client.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * summary.json: one run of a profile, every simulation's figures, and every verdict; with the monitoring profile,
 * {@code prometheus} holds the replicas' own figures over the simulations (empty without it).
 */
public record BenchSummary(
        String profile,
        Instant startedAt,
        String baseUrl,
        double rate,
        long durationS,
        Map<String, Object> environment,
        List<SimulationResult> simulations,
        boolean passed,
        Map<String, Object> prometheus) {

    public record SimulationResult(
            String simulation,
            String report,
            int gatlingExit,
            Stats overall,
            Map<String, Stats> requests,
            List<Verdict> verdicts,
            boolean passed) {}

    /** GitHub-flavoured markdown for a CI job summary. */
    public String markdown() {
        var md = new StringBuilder();
        md.append("## stackctl bench: profile `")
                .append(profile)
                .append("` ")
                .append(passed ? "PASSED" : "FAILED")
                .append("\n\n");
        md.append("%s req/s for %d s per simulation against %s; %s cores, %s replicas, revision %s, %s\n\n"
                .formatted(
                        fmt(rate),
                        durationS,
                        baseUrl,
                        environment.get("cores"),
                        environment.get("replicas"),
                        environment.get("git_revision"),
                        startedAt));
        for (var sim : simulations) {
            md.append("### ")
                    .append(sim.simulation())
                    .append(sim.passed() ? " (passed)" : " (FAILED)")
                    .append("\n\n");
            md.append("| request | count | errors | req/s | min | p50 | p75 | p95 | p99 | max |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            sim.requests().forEach((name, stats) -> md.append(row(name, stats)));
            md.append(row("**all**", sim.overall()));
            md.append("\n| check | metric | limit | measured | |\n|---|---|---:|---:|---|\n");
            for (var v : sim.verdicts()) {
                md.append("| %s | %s | %s | %s | %s |\n"
                        .formatted(
                                v.check(),
                                v.metric(),
                                fmt(v.limit()),
                                fmt(v.measured()),
                                v.passed() ? "ok" : "**MISSED**"));
            }
            md.append("\nGatling report: `").append(sim.report()).append("`\n\n");
        }
        if (prometheus != null && !prometheus.isEmpty()) {
            md.append("### The replicas' own figures over the run (Prometheus, monitoring profile)\n\n");
            md.append("| figure | value |\n|---|---:|\n");
            prometheus.forEach((name, value) -> md.append("| %s | %s |\n".formatted(name, value)));
            md.append("\n");
        }
        return md.toString();
    }

    private static String row(String name, Stats s) {
        return "| %s | %d | %d | %s | %d | %d | %d | %d | %d | %d |\n"
                .formatted(
                        name,
                        s.requests(),
                        s.errors(),
                        fmt(s.rps()),
                        s.minMs(),
                        s.p50Ms(),
                        s.p75Ms(),
                        s.p95Ms(),
                        s.p99Ms(),
                        s.maxMs());
    }

    private static String fmt(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
