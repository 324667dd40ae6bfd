package io.stackctl.drill;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.fault.NetworkFaults;
import io.stackctl.stack.Stack;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A slow database, not a dead one: every replica's connections to PostgreSQL pass through a proxy that delays each
 * answer (default 200 ms +/- 50 ms). Reads the cache holds must not notice; what needs the database gets slower, but
 * no request may fail, and the latency must be gone once the proxy is.
 *
 * <p>The cached reads' bound is 2x their p99 before, or the added latency when that is higher: a read that waited for
 * the database cannot take less than the latency, while a busy host's scheduler alone put single cached reads at
 * 118 ms against a steady 25 ms (a 2x bound of a small p99 is noise, not a verdict).
 */
public final class DbLatencyDrill extends NetworkFaultDrill {

    static final int DEFAULT_LATENCY_MS = 200;
    static final int DEFAULT_JITTER_MS = 50;
    /** A create takes a few round trips; past this it could not fit the 5 s request budget (Database timeouts). */
    static final int MAX_LATENCY_MS = 1_500;

    static final int DB_PORT = 5432;
    /** After the proxy is gone, the first creates may still have been sent through it. */
    static final long SETTLE_MS = 2_000;

    private final int latencyMs;
    private final int jitterMs;

    public DbLatencyDrill(int latencyMs, int jitterMs) {
        this.latencyMs = latencyMs;
        this.jitterMs = jitterMs;
    }

    @Override
    public String name() {
        return "db-latency";
    }

    @Override
    NetworkFaults.Mode mode() {
        return new NetworkFaults.Mode.Latency(latencyMs, jitterMs);
    }

    @Override
    List<ServiceContainer> targets(DrillContext context) {
        List<ServiceContainer> replicas = context.stack().replicas();
        if (replicas.isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION, "db-latency found no running replica", "bin/stackctl up");
        }
        return replicas;
    }

    /** PostgreSQL's address on the network the replica reaches it by (the name "db" resolves to it there). */
    @Override
    List<String> peers(DrillContext context, ServiceContainer target) {
        ServiceContainer db = context.stack().requireService(Stack.DB);
        return target.networkIps().keySet().stream()
                .map(network -> db.networkIps().get(network))
                .filter(Objects::nonNull)
                .filter(ip -> !ip.isBlank())
                .findFirst()
                .map(ip -> List.of(ip + ":" + DB_PORT))
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        target.name() + " shares no network with " + db.name(),
                        "recreate the stack: bin/stackctl up"));
    }

    @Override
    List<Hypothesis> judge(List<Sample> samples, long faultAt, long healedAt, Map<String, Object> figures) {
        // the baseline is the steady half of the load before the fault: its first half is the load's own start (new
        // connections through nginx, a cold JIT), with a p99 of 130-160 ms where the steady one is 15-30 ms
        long cachedBefore = p99(cachedReads(Verdicts.endedWithin(samples, askedAt() / 2, askedAt())));
        var cachedDuring = cachedReads(Verdicts.between(samples, faultAt, healedAt));
        long cachedDuringP99 = p99(cachedDuring);
        long slowAtLeast = Math.max(latencyMs - jitterMs, latencyMs / 2); // a jitter as large as the latency: no floor
        long bound = Math.max(2 * cachedBefore, slowAtLeast);
        var createsDuring = creates(Verdicts.endedWithin(samples, faultAt, healedAt));
        var createsAfter = creates(Verdicts.between(samples, healedAt + SETTLE_MS, Long.MAX_VALUE));
        long createsDuringMedian = median(createsDuring);
        long createsAfterMedian = median(createsAfter);
        figures.put("latency_ms", latencyMs);
        figures.put("jitter_ms", jitterMs);
        figures.put("cached_read_p99_before_ms", cachedBefore);
        figures.put("cached_read_p99_during_ms", cachedDuringP99);
        figures.put(
                "cached_read_p99_ratio",
                cachedBefore > 0 ? Math.round(100.0 * cachedDuringP99 / cachedBefore) / 100.0 : 0);
        figures.put("create_median_during_ms", createsDuringMedian);
        figures.put("create_median_after_ms", createsAfterMedian);
        return List.of(
                noFailures(samples),
                Hypothesis.check(
                        "cached reads do not wait for the database: p99 within 2x of before, or under the added"
                                + " latency (" + slowAtLeast + " ms)",
                        !cachedDuring.isEmpty() && cachedDuringP99 <= bound,
                        "p99 " + cachedDuringP99 + " ms over " + cachedDuring.size() + " cached reads, before "
                                + cachedBefore + " ms (bound " + bound + " ms)"),
                Hypothesis.check(
                        "the latency was in the path: creates took at least " + slowAtLeast + " ms (median)",
                        !createsDuring.isEmpty() && createsDuringMedian >= slowAtLeast,
                        "median " + createsDuringMedian + " ms over " + createsDuring.size() + " creates"),
                Hypothesis.check(
                        "the latency is gone with the proxy: creates under " + slowAtLeast + " ms again (median)",
                        !createsAfter.isEmpty() && createsAfterMedian < slowAtLeast,
                        "median " + createsAfterMedian + " ms over " + createsAfter.size() + " creates from "
                                + SETTLE_MS / 1000 + " s after"));
    }

    private static List<Sample> cachedReads(List<Sample> samples) {
        return samples.stream()
                .filter(s -> s.kind().equals("read") && s.source().equals("cache") && s.ok())
                .toList();
    }

    private static List<Sample> creates(List<Sample> samples) {
        return samples.stream().filter(s -> s.kind().equals("create") && s.ok()).toList();
    }

    private static long median(List<Sample> samples) {
        return percentile(samples, 50);
    }
}
