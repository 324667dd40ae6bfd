package io.stackctl.drill;

import io.stackctl.client.Stats;
import java.util.ArrayList;
import java.util.List;

/** A drill's load over time in fixed buckets (by when each request was sent): what the report draws. */
public record Timeline(long bucketMs, long faultAtMs, long recoveredAtMs, List<Bucket> buckets) {

    public static final long BUCKET_MS = 500;

    /** One bucket: requests sent in it per second, the share that failed, and their p99. */
    public record Bucket(long atMs, double requestsPerSecond, double errorPercent, long p99Ms) {}

    public static Timeline of(List<Sample> samples, long faultAtMs, long recoveredAtMs) {
        long end = samples.stream().mapToLong(Sample::startMs).max().orElse(0);
        List<Bucket> buckets = new ArrayList<>();
        for (long from = 0; from <= end; from += BUCKET_MS) {
            var in = Verdicts.between(samples, from, from + BUCKET_MS);
            long[] latencies = in.stream().mapToLong(Sample::latencyMs).sorted().toArray();
            long failed = Verdicts.count(in, Sample::failed);
            buckets.add(new Bucket(
                    from,
                    in.size() * 1000.0 / BUCKET_MS,
                    in.isEmpty() ? 0 : 100.0 * failed / in.size(),
                    Stats.percentile(latencies, 99)));
        }
        return new Timeline(BUCKET_MS, faultAtMs, recoveredAtMs, List.copyOf(buckets));
    }
}
