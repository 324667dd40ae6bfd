package io.stackctl.taskmanager.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.stackctl.taskmanager.cache.TaskCache;
import io.stackctl.taskmanager.db.Database;
import io.stackctl.taskmanager.service.TaskService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Prometheus metrics of one replica: requests, latency, cache hits and misses, pool usage, JVM. */
final class Metrics {

    private static final double[] LATENCY_BUCKETS_SECONDS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Histogram latency;

    Metrics(Database database, TaskCache cache, TaskService service) {
        requests = Counter.builder()
                .name("http_requests_total")
                .help("HTTP requests by route template, method and status")
                .labelNames("route", "method", "status")
                .register(registry);
        latency = Histogram.builder()
                .name("http_request_duration_seconds")
                .help("HTTP request latency by route template and method")
                .labelNames("route", "method")
                .classicOnly()
                .classicUpperBounds(LATENCY_BUCKETS_SECONDS)
                .register(registry);
        CounterWithCallback.builder()
                .name("cache_hits_total")
                .help("Cache lookups answered from Redis by this replica")
                .callback(cb -> cb.call(cache.counts().hits()))
                .register(registry);
        CounterWithCallback.builder()
                .name("cache_misses_total")
                .help("Cache lookups that went to PostgreSQL")
                .callback(cb -> cb.call(cache.counts().misses()))
                .register(registry);
        CounterWithCallback.builder()
                .name("cache_loads_total")
                .help("Database reads made for cache misses (concurrent misses of one key share one read)")
                .callback(cb -> cb.call(service.loadCounts().loads()))
                .register(registry);
        CounterWithCallback.builder()
                .name("cache_loads_shared_total")
                .help("Cache misses answered by another request's database read of the same key")
                .callback(cb -> cb.call(service.loadCounts().shared()))
                .register(registry);
        CounterWithCallback.builder()
                .name("cache_errors_total")
                .help("Redis calls that failed or were refused by the circuit breaker")
                .callback(cb -> cb.call(cache.counts().errors()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("db_pool_connections")
                .help("PostgreSQL pool connections by state (max is the configured size)")
                .labelNames("state")
                .callback(cb -> {
                    var pool = database.stats();
                    cb.call(pool.active(), "active");
                    cb.call(pool.idle(), "idle");
                    cb.call(pool.waiting(), "waiting");
                    cb.call(pool.max(), "max");
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("db_list_reads_total")
                .help("List reads that missed the cache, by where they went: a standby that had caught up, or the"
                        + " primary because the standby was behind or failing (READS_FROM_STANDBY=on)")
                .labelNames("node")
                .callback(cb -> {
                    var reads = database.standbyReads().counts();
                    cb.call(reads.standby(), "standby");
                    cb.call(reads.behind(), "primary_standby_behind");
                    cb.call(reads.unavailable(), "primary_standby_failed");
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("cache_circuit_open")
                .help("1 while the Redis circuit breaker refuses calls")
                .callback(cb -> cb.call("open".equals(cache.breakerState()) ? 1 : 0))
                .register(registry);
        JvmMetrics.builder().register(registry);
    }

    void recordRequest(String route, String method, int status, double seconds) {
        requests.labelValues(route, method, Integer.toString(status)).inc();
        latency.labelValues(route, method).observe(seconds);
    }

    String contentType() {
        return writer.getContentType();
    }

    byte[] scrape() throws IOException {
        var out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, registry.scrape());
        return out.toByteArray();
    }
}
