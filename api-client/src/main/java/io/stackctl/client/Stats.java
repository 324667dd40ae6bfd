package io.stackctl.client;

import java.util.List;

/**
 * Requests, errors, throughput and response time percentiles of a set of requests. Percentiles are
 * nearest-rank over every request that got an answer (ok or not), as Gatling's "All" column counts them.
 */
public record Stats(
        long requests,
        long errors,
        double errorPct,
        double rps,
        long minMs,
        long p50Ms,
        long p75Ms,
        long p95Ms,
        long p99Ms,
        long maxMs) {

    public static Stats of(List<Recorder.Request> requests, double seconds) {
        long[] times = requests.stream()
                .mapToLong(Recorder.Request::responseTimeMs)
                .filter(t -> t >= 0)
                .sorted()
                .toArray();
        long errors = requests.stream().filter(r -> !r.ok()).count();
        int n = requests.size();
        return new Stats(
                n,
                errors,
                n == 0 ? 0 : round2(100.0 * errors / n),
                seconds <= 0 ? 0 : round2(n / seconds),
                times.length == 0 ? 0 : times[0],
                percentile(times, 50),
                percentile(times, 75),
                percentile(times, 95),
                percentile(times, 99),
                times.length == 0 ? 0 : times[times.length - 1]);
    }

    /** Nearest-rank percentile: the smallest value with at least {@code p}% of the values at or below it. */
    public static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double round2(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
