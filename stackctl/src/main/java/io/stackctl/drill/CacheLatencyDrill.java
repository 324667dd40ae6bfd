package io.stackctl.drill;

import io.stackctl.client.Stats;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A slow cache, not a dead one: every replica's connections to Redis pass through a proxy that delays each answer
 * (default 100 ms +/- 20 ms, below the cache's 250 ms timeout, so no call fails). A cache slower than the database
 * must be bypassed, not waited for: the app's breaker opens on slow calls as on failed ones, reads go to
 * PostgreSQL, and the cache is used again once it is fast.
 *
 * <p>Reads' times are the replicas' own (Server-Timing "app"), where they say: the question is whether the app waited
 * for the cache, and on a host with two cores burning nginx and the client added enough to put the median read at 148
 * ms against the 80 ms bound.
 */
public final class CacheLatencyDrill extends LatencyDrill {

    static final int DEFAULT_LATENCY_MS = 100;
    static final int DEFAULT_JITTER_MS = 20;
    /** Redis's plain and TLS ports (the stack's INTERNAL_TLS picks one). */
    static final List<Integer> CACHE_PORTS = List.of(6379, 6380);
    /**
     * A read of a seeded task comes from PostgreSQL only when the cache is bypassed: with the breaker shut, nearly none
     * do. With it open, CI runs measured 48-61%, not the 90% two half-open probes a second would leave: 50% failed one
     * run in five. A quarter still tells an open breaker from a shut one.
     */
    static final double BYPASSED_SHARE = 0.25;

    static final long CACHE_BACK_WITHIN_MS = 10_000;

    public CacheLatencyDrill(int latencyMs, int jitterMs) {
        super(latencyMs, jitterMs);
    }

    @Override
    public String name() {
        return "cache-latency";
    }

    @Override
    String service() {
        return Stack.CACHE;
    }

    @Override
    List<Integer> ports() {
        return CACHE_PORTS;
    }

    @Override
    void after(DrillContext context, long healedAt, Map<String, Object> figures) {
        awaitSampleAfter(
                context,
                healedAt,
                Duration.ofMillis(CACHE_BACK_WITHIN_MS + 10_000),
                s -> s.kind().equals("read") && s.source().equals("cache"));
    }

    @Override
    List<Hypothesis> judge(List<Sample> samples, long faultAt, long healedAt, Map<String, Object> figures) {
        var reads = Verdicts.endedWithin(samples, faultAt, healedAt).stream()
                .filter(s -> s.kind().equals("read") && s.ok())
                .toList();
        long fromDatabase = Verdicts.count(reads, s -> s.source().equals("database"));
        double bypassed = reads.isEmpty() ? 0 : (double) fromDatabase / reads.size();
        long readMedian = Stats.percentile(
                reads.stream()
                        .mapToLong(s -> Math.round(s.replicaMs()))
                        .sorted()
                        .toArray(),
                50);
        long p99 = Stats.percentile(
                Verdicts.between(samples, faultAt, healedAt).stream()
                        .mapToLong(s -> s.ok() ? Math.round(s.replicaMs()) : s.latencyMs())
                        .sorted()
                        .toArray(),
                99);
        long cacheBack = Verdicts.firstAfter(
                        samples,
                        healedAt,
                        s -> s.kind().equals("read") && s.source().equals("cache"))
                .orElse(-1L);
        figures.put("latency_ms", latencyMs);
        figures.put("jitter_ms", jitterMs);
        figures.put("reads_from_database_during", fromDatabase + "/" + reads.size());
        figures.put("read_median_during_ms", readMedian);
        figures.put("p99_during_ms", p99);
        figures.put("cache_back_ms", cacheBack);
        return List.of(
                noFailures(samples),
                Hypothesis.check(
                        "the slow cache is bypassed: at least " + Math.round(BYPASSED_SHARE * 100)
                                + "% of reads during it come from PostgreSQL",
                        !reads.isEmpty() && bypassed >= BYPASSED_SHARE,
                        fromDatabase + " of " + reads.size() + " reads"),
                Hypothesis.check(
                        "reads do not wait for it: their median in the replica stays under its latency ("
                                + slowAtLeast() + " ms)",
                        !reads.isEmpty() && readMedian < slowAtLeast(),
                        "median " + readMedian + " ms over " + reads.size() + " reads"),
                Hypothesis.check(
                        "p99 in the replicas during the slowness within half the request budget ("
                                + CacheLossDrill.REQUEST_BUDGET_MS + " ms)",
                        p99 <= CacheLossDrill.REQUEST_BUDGET_MS,
                        "p99 " + p99 + " ms"),
                Hypothesis.check(
                        "reads come from the cache again within " + CACHE_BACK_WITHIN_MS / 1000 + " s of its end",
                        cacheBack >= 0 && cacheBack <= CACHE_BACK_WITHIN_MS,
                        cacheBack >= 0 ? "first cache hit " + cacheBack + " ms after" : "no cache hit after"));
    }
}
