package io.stackctl.drill;

import io.stackctl.client.Stats;
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
                Stats.percentile(latencies, 50),
                Stats.percentile(latencies, 99),
                latencies.length == 0 ? 0 : latencies[latencies.length - 1]);
    }

    public int failed() {
        return failedIdempotent + failedNonIdempotent;
    }
}
