package io.stackctl.drill;

import io.stackctl.engine.ServiceContainer;
import io.stackctl.fault.NetworkFaults;
import io.stackctl.stack.Stack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A slow database, not a dead one: every replica's connections to PostgreSQL pass through a proxy that delays each
 * answer (default 200 ms +/- 50 ms). Reads the cache holds must not notice; what needs the database gets slower, but
 * no request may fail, and the latency must be gone once the proxy is.
 *
 * <p>The cached reads' bound is 2x their p99 before, or the added latency when that is higher: a read that waited for
 * the database cannot take less than the latency, while a busy host's scheduler alone put single cached reads at
 * 118 ms against a steady 25 ms (a 2x bound of a small p99 is noise, not a verdict).
 */
public final class DbLatencyDrill extends LatencyDrill {

    static final int DEFAULT_LATENCY_MS = 200;
    static final int DEFAULT_JITTER_MS = 50;
    /** A create takes a few round trips; past this it could not fit the 5 s request budget (Database timeouts). */
    static final int MAX_LATENCY_MS = 1_500;

    static final int DB_PORT = 5432;
    /** After the proxy is gone, the first creates may still have been sent through it. */
    static final long SETTLE_MS = 2_000;

    private static final Pattern OVERLIMITS = Pattern.compile("overlimits (\\d+)");

    private final int bandwidthKbit;

    /** @param bandwidthKbit also shape PostgreSQL's answers to the replicas to this rate; 0 for no limit */
    public DbLatencyDrill(int latencyMs, int jitterMs, int bandwidthKbit) {
        super(latencyMs, jitterMs);
        this.bandwidthKbit = bandwidthKbit;
    }

    @Override
    public String name() {
        return "db-latency";
    }

    @Override
    String service() {
        return Stack.DB;
    }

    @Override
    List<Integer> ports() {
        return List.of(DB_PORT);
    }

    /** With a bandwidth, PostgreSQL's side of the link too: what it sends to the replicas, shaped (tc htb). */
    @Override
    List<Planned> plan(DrillContext context) {
        List<Planned> planned = new ArrayList<>(super.plan(context));
        if (bandwidthKbit > 0) {
            ServiceContainer db = context.stack().requirePrimaryDb();
            // each replica's address on the network it reaches PostgreSQL by: where PostgreSQL's answers go
            List<String> replicas = planned.stream()
                    .map(p -> p.target().networkIps().get(sharedNetwork(p.target(), db)))
                    .toList();
            planned.add(new Planned(db, new NetworkFaults.Mode.Bandwidth(bandwidthKbit), replicas));
        }
        return planned;
    }

    @Override
    List<Hypothesis> judge(List<Sample> samples, long faultAt, long healedAt, Map<String, Object> figures) {
        // the baseline is the steady half of the load before the fault: its first half is the load's own start (new
        // connections through nginx, a cold JIT), with a p99 of 130-160 ms where the steady one is 15-30 ms
        long cachedBefore = p99(cachedReads(Verdicts.endedWithin(samples, askedAt() / 2, askedAt())));
        var cachedDuring = cachedReads(Verdicts.between(samples, faultAt, healedAt));
        long cachedDuringP99 = p99(cachedDuring);
        long slowAtLeast = slowAtLeast();
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
        List<Hypothesis> hypotheses = new ArrayList<>(List.of(
                bandwidthKbit == 0 ? noFailures(samples) : onlyFastFailures(samples),
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
                                + SETTLE_MS / 1000 + " s after")));
        if (bandwidthKbit > 0) {
            hypotheses.add(bandwidthHeld(figures));
        }
        return hypotheses;
    }

    /**
     * A link slower than the load's demand queues answers, and the pool's 1 s wait turns the queue into 503s: the
     * app's fail-fast, measured at 64 kbit/s (76 of 765 requests). What must hold then is how they fail.
     */
    private static Hypothesis onlyFastFailures(List<Sample> samples) {
        var failed = samples.stream().filter(Sample::failed).toList();
        var unexplained = failed.stream()
                .filter(s -> s.status() != 503
                        || s.kind().equals("read") && s.source().equals("cache"))
                .toList();
        return Hypothesis.check(
                "under the bandwidth limit, requests fail only with 503 (no 500, 502 or dropped answer)",
                unexplained.isEmpty(),
                failed.size() + " failed, " + unexplained.size() + " otherwise" + firstFailure(unexplained));
    }

    /**
     * The shaper's own count of packets it made wait for the rate (its helper reports it as it ends): a limit the
     * traffic never reached proves nothing about a slow link.
     */
    private Hypothesis bandwidthHeld(Map<String, Object> figures) {
        long overlimits = faults().stream()
                .filter(f -> f.mode() instanceof NetworkFaults.Mode.Bandwidth)
                .mapToLong(f -> {
                    Matcher matcher = OVERLIMITS.matcher(f.lastWords());
                    long sum = 0;
                    while (matcher.find()) {
                        sum += Long.parseLong(matcher.group(1));
                    }
                    return sum;
                })
                .sum();
        figures.put("bandwidth_kbit", bandwidthKbit);
        figures.put("bandwidth_overlimits", overlimits);
        return Hypothesis.check(
                "PostgreSQL's link was held to " + bandwidthKbit + " kbit/s (packets waited for the rate)",
                overlimits > 0,
                overlimits + " packets waited"
                        + (overlimits > 0
                                ? ""
                                : ": the load never reached the rate; a lower --bandwidth shows a slow link"));
    }

    private static List<Sample> cachedReads(List<Sample> samples) {
        return samples.stream()
                .filter(s -> s.kind().equals("read") && s.source().equals("cache") && s.ok())
                .toList();
    }

    private static List<Sample> creates(List<Sample> samples) {
        return samples.stream().filter(s -> s.kind().equals("create") && s.ok()).toList();
    }
}
