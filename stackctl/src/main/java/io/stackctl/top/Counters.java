package io.stackctl.top;

import java.util.List;
import java.util.TreeMap;

/**
 * One replica's counters at one scrape, API routes only ({@link ApiRoutes}): requests, 5xx answers, the latency
 * histogram's cumulative buckets (all routes merged), cache hits and misses. Two of them a known time apart make the
 * figures {@code top} shows ({@link #since}).
 */
public record Counters(
        double requests,
        double errors,
        TreeMap<Double, Double> buckets,
        double cacheHits,
        double cacheMisses,
        Pool pool,
        boolean circuitOpen) {

    /** The pool's gauges at the scrape; -1 where the replica did not say. */
    public record Pool(double active, double idle, double waiting, double max) {}

    static final Counters ZERO = new Counters(0, 0, new TreeMap<>(), 0, 0, new Pool(-1, -1, -1, -1), false);

    /** The counters of one scrape of a replica's /metrics. */
    public static Counters of(List<MetricsText.Sample> samples) {
        double requests = 0;
        double errors = 0;
        double hits = 0;
        double misses = 0;
        boolean open = false;
        double[] pool = {-1, -1, -1, -1};
        var buckets = new TreeMap<Double, Double>();
        for (var s : samples) {
            switch (s.name()) {
                case "http_requests_total" -> {
                    if (ApiRoutes.counted(s.label("route"))) {
                        requests += s.value();
                        if (s.label("status").startsWith("5")) {
                            errors += s.value();
                        }
                    }
                }
                case "http_request_duration_seconds_bucket" -> {
                    if (ApiRoutes.counted(s.label("route"))) {
                        buckets.merge(bound(s.label("le")), s.value(), Double::sum);
                    }
                }
                case "cache_hits_total" -> hits = s.value();
                case "cache_misses_total" -> misses = s.value();
                case "cache_circuit_open" -> open = s.value() > 0;
                case "db_pool_connections" -> {
                    int index = List.of("active", "idle", "waiting", "max").indexOf(s.label("state"));
                    if (index >= 0) {
                        pool[index] = s.value();
                    }
                }
                default -> {
                    // the JVM's and the rest: not shown by top
                }
            }
        }
        return new Counters(
                requests, errors, buckets, hits, misses, new Pool(pool[0], pool[1], pool[2], pool[3]), open);
    }

    /**
     * What happened between {@code earlier} and this scrape. A counter that went down means the replica's process
     * started again (a crash the restart policy undid): as Prometheus' rate() does, the new value is the increase.
     */
    public Counters since(Counters earlier) {
        boolean reset = requests < earlier.requests || cacheHits < earlier.cacheHits;
        Counters base = reset ? ZERO : earlier;
        var delta = new TreeMap<Double, Double>();
        buckets.forEach((le, count) -> delta.put(le, Math.max(0, count - base.buckets.getOrDefault(le, 0.0))));
        return new Counters(
                requests - base.requests,
                errors - base.errors,
                delta,
                cacheHits - base.cacheHits,
                cacheMisses - base.cacheMisses,
                pool,
                circuitOpen);
    }

    /** The sum of several replicas' increases: the stack's. The pool's gauges add up too (all replicas' slots). */
    public static Counters sum(List<Counters> all) {
        double requests = 0;
        double errors = 0;
        double hits = 0;
        double misses = 0;
        double[] pool = {0, 0, 0, 0};
        boolean open = false;
        var buckets = new TreeMap<Double, Double>();
        for (var c : all) {
            requests += c.requests;
            errors += c.errors;
            hits += c.cacheHits;
            misses += c.cacheMisses;
            c.buckets.forEach((le, count) -> buckets.merge(le, count, Double::sum));
            pool[0] += Math.max(0, c.pool.active());
            pool[1] += Math.max(0, c.pool.idle());
            pool[2] += Math.max(0, c.pool.waiting());
            pool[3] += Math.max(0, c.pool.max());
            open |= c.circuitOpen;
        }
        return new Counters(
                requests, errors, buckets, hits, misses, new Pool(pool[0], pool[1], pool[2], pool[3]), open);
    }

    /** The figures of this increase over {@code seconds}. */
    public Figures over(double seconds) {
        return new Figures(
                seconds > 0 ? requests / seconds : null,
                requests > 0 ? errors / requests : null,
                Quantile.of(0.50, buckets).map(s -> s * 1000).orElse(null),
                Quantile.of(0.99, buckets).map(s -> s * 1000).orElse(null),
                pool.active() >= 0 ? pool.active() : null,
                pool.max() >= 0 ? pool.max() : null,
                pool.waiting() >= 0 ? pool.waiting() : null,
                cacheHits + cacheMisses > 0 ? cacheHits / (cacheHits + cacheMisses) : null,
                circuitOpen);
    }

    private static double bound(String le) {
        return le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }
}
