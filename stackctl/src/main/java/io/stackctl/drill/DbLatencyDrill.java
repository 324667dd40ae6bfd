package io.stackctl.drill;

import io.stackctl.client.Stats;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.fault.NetworkFaults;
import io.stackctl.stack.Stack;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A slow database, not a dead one: every replica's connections to PostgreSQL pass through a proxy that delays each
 * answer (default 200 ms +/- 50 ms). Reads the cache holds must not notice; what needs the database gets slower, but
 * no request may fail, and the latency must be gone once the proxy is.
 *
 * <p>Both are judged by what the replicas say they did ({@code Server-Timing}: the time an answer spent on the
 * database), not by latencies a busy host moves as much as the fault does: with four processes burning the host's two
 * cores, cached reads' p99 went from 63 to 751 ms and creates after the fault took a median 150 ms, while no cached
 * read used the database and the fastest database answer of each replica took a few ms.
 */
public final class DbLatencyDrill extends LatencyDrill {

    static final int DEFAULT_LATENCY_MS = 200;
    static final int DEFAULT_JITTER_MS = 50;
    /** A create takes a few round trips; past this it could not fit the 5 s request budget (Database timeouts). */
    static final int MAX_LATENCY_MS = 1_500;

    static final int DB_PORT = 5432;
    /** After the proxy is gone, the first creates may still have been sent through it (a figure's window). */
    static final long SETTLE_MS = 2_000;
    /**
     * How much a p99 may grow for reasons no app controls: a busy host's scheduler and collector (CI run 35, a slow
     * host: 27.8 -> 64.4 ms with no read waiting on the database). Far below the 200 ms the fault adds to each round
     * trip, so a cached read that waited on the database still fails the hypothesis.
     */
    static final double P99_SLACK_MS = 50;

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
        var cachedSteady = cachedReads(Verdicts.endedWithin(samples, askedAt() / 2, askedAt()));
        long cachedBefore = p99(cachedSteady);
        var cachedDuring = cachedReads(Verdicts.between(samples, faultAt, healedAt));
        long cachedDuringP99 = p99(cachedDuring);
        // while the latency held, not while it was put in or taken out: each is a pool handover in every replica (new
        // connections, SCRAM on both sides), and the slowest cached reads by far were those of the handover back
        var cachedHeld = cachedReads(Verdicts.endedWithin(samples, faultAt, healBegunAt()));
        double inReplicasBefore = appP99(cachedSteady);
        double inReplicasHeld = appP99(cachedHeld);
        long slowAtLeast = slowAtLeast();
        var createsDuring = creates(Verdicts.endedWithin(samples, faultAt, healedAt));
        var createsAfter = creates(Verdicts.between(samples, healedAt + SETTLE_MS, Long.MAX_VALUE));
        long createsDuringMedian = median(createsDuring);
        figures.put("latency_ms", latencyMs);
        figures.put("jitter_ms", jitterMs);
        figures.put("cached_read_p99_before_ms", cachedBefore);
        figures.put("cached_read_p99_during_ms", cachedDuringP99);
        figures.put("cached_read_p99_while_held_ms", p99(cachedHeld));
        // the same reads' time inside the replicas (Server-Timing "app"): the client's p99 adds nginx and a busy host
        figures.put("cached_read_p99_in_replicas_before_ms", inReplicasBefore);
        figures.put("cached_read_p99_in_replicas_during_ms", appP99(cachedDuring));
        figures.put("cached_read_p99_in_replicas_while_held_ms", inReplicasHeld);
        figures.put("create_median_during_ms", createsDuringMedian);
        figures.put("create_median_after_ms", median(createsAfter));
        List<Hypothesis> hypotheses = new ArrayList<>(List.of(
                bandwidthKbit == 0 ? noFailures(samples) : onlyFastFailures(samples),
                cachedReadsAskedNothing(cachedDuring, cachedBefore, cachedDuringP99),
                cachedReadsKeptTheirPace(inReplicasBefore, inReplicasHeld, cachedHeld.size()),
                Hypothesis.check(
                        "the latency was in the path: creates took at least " + slowAtLeast + " ms (median)",
                        !createsDuring.isEmpty() && createsDuringMedian >= slowAtLeast,
                        "median " + createsDuringMedian + " ms over " + createsDuring.size() + " creates"),
                latencyGone(Verdicts.between(samples, healedAt, Long.MAX_VALUE), slowAtLeast, figures)));
        if (bandwidthKbit > 0) {
            hypotheses.add(bandwidthHeld(figures));
        }
        return hypotheses;
    }

    /** A cached read that waited for the database would say so in its Server-Timing, however fast the host. */
    static Hypothesis cachedReadsAskedNothing(List<Sample> cachedDuring, long p99Before, long p99During) {
        long unsaid = Verdicts.count(cachedDuring, s -> s.dbMs() < 0);
        long asked = Verdicts.count(cachedDuring, s -> s.dbMs() > 0);
        String measured = unsaid > 0
                ? unsaid + " of " + cachedDuring.size() + " cached reads without Server-Timing: the replicas run an app"
                        + " image older than this stackctl (bin/stackctl deploy)"
                : asked + " of " + cachedDuring.size() + " cached reads used the database (p99 " + p99During
                        + " ms, before " + p99Before + " ms)";
        return Hypothesis.check(
                "cached reads do not wait for the database: none used it (the replicas' Server-Timing)",
                !cachedDuring.isEmpty() && unsaid == 0 && asked == 0,
                measured);
    }

    /**
     * A slow database must not slow what does not use it: no thread, lock or pool a cached read needs may be held by
     * the slow requests. Judged inside the replicas (Server-Timing), where a busy host's nginx and client are not; twice
     * a baseline of a few ms is still within a busy host's noise, so the limit is never below the baseline plus
     * {@link #P99_SLACK_MS}.
     */
    static Hypothesis cachedReadsKeptTheirPace(double p99Before, double p99Held, int reads) {
        double limit = Math.max(2 * p99Before, p99Before + P99_SLACK_MS);
        boolean said = p99Before >= 0 && p99Held >= 0;
        return Hypothesis.check(
                "cached reads kept their pace while the latency held: p99 in the replicas at most twice the baseline's"
                        + " (or it + 50 ms)",
                reads > 0 && said && p99Held <= limit,
                !said
                        ? "the replicas did not say their time (Server-Timing): an app image older than this stackctl"
                                + " (bin/stackctl deploy)"
                        : String.format(
                                Locale.ROOT,
                                "p99 %.1f ms over %d cached reads, before %.1f ms (limit %.1f ms)",
                                p99Held,
                                reads,
                                p99Before,
                                limit));
    }

    /**
     * The proxy made every database round trip at least {@code slowAtLeast}: once it is gone, each replica's fastest
     * answer from the database (its Server-Timing, or its latency where it did not say) is faster than that. The
     * fastest, not the median: a busy host only adds time, and an answer still sent through the proxy only is not it.
     */
    static Hypothesis latencyGone(List<Sample> after, long slowAtLeast, Map<String, Object> figures) {
        Map<String, Double> fastest = new TreeMap<>();
        after.stream()
                .filter(s -> s.ok()
                        && s.dbMs() != 0
                        && !s.instance().isEmpty()
                        && !s.source().equals("cache"))
                .forEach(s -> fastest.merge(s.instance(), s.dbMs() > 0 ? s.dbMs() : s.latencyMs(), Math::min));
        figures.put("db_fastest_after_ms", fastest);
        boolean gone = !fastest.isEmpty() && fastest.values().stream().allMatch(ms -> ms < slowAtLeast);
        return Hypothesis.check(
                "the latency is gone with the proxy: each replica answered from the database in under " + slowAtLeast
                        + " ms again (its fastest)",
                gone,
                fastest.isEmpty()
                        ? "no answer from the database after the fault"
                        : fastest.entrySet().stream()
                                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.1f", e.getValue()) + " ms")
                                .collect(Collectors.joining(", ")));
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

    /** The p99 of what the replicas say the requests took in them, in ms to a tenth; -1 when none said. */
    static double appP99(List<Sample> samples) {
        long[] micros = samples.stream()
                .filter(s -> s.appMs() >= 0)
                .mapToLong(s -> Math.round(s.appMs() * 1000))
                .sorted()
                .toArray();
        return micros.length == 0 ? -1 : Math.round(Stats.percentile(micros, 99) / 100.0) / 10.0;
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
