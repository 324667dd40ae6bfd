package io.stackctl.drill;

import java.util.List;

/** Requests, failures (split by idempotency) and latency of one phase of a drill. */
public record PhaseStats(
        int requests, int failedIdempotent, int failedNonIdempotent, int timedOut, long p50Ms, long p99Ms, long maxMs) {

    public static PhaseStats of(List<Sample> samples) {
        long[] latencies =
                samples.stream().mapToLong(Sample::latencyMs).sorted().toArray();
        return new PhaseStats(
                samples.size(),
                (int) samples.stream().filter(s -> s.failed() && s.idempotent()).count(),
                (int) samples.stream()
                        .filter(s -> s.failed() && !s.idempotent())
                        .count(),
                (int) samples.stream().filter(Sample::timedOut).count(),
                percentile(latencies, 50),
                percentile(latencies, 99),
                latencies.length == 0 ? 0 : latencies[latencies.length - 1]);
    }

    /** Nearest-rank percentile: the smallest value with at least {@code p}% of the values at or below it. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    public int failed() {
        return failedIdempotent + failedNonIdempotent;
    }
}
