package io.stackctl.top;

import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.health.HttpProbe;
import io.stackctl.prometheus.PrometheusApi;
import io.stackctl.stack.Stack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code top} from the monitoring profile's Prometheus: the same figures as {@link ReplicaScrapes}, as PromQL over
 * the last {@link #WINDOW} (four scrapes), plus what the exporters add about PostgreSQL and Redis. Replicas are
 * Prometheus' instances, labelled with the container's name by the upstream agent, which lists them for discovery.
 */
public final class PrometheusQueries implements TopSource {

    /** Rates and quantiles over this range: four of the profile's 5 s scrapes, so two can be missed. */
    public static final String WINDOW = "20s";

    private static final String API = PrometheusApi.APP_API;

    private final Stack stack;
    private final PrometheusApi prometheus;

    public PrometheusQueries(Stack stack, String baseUrl, HttpProbe probe) {
        this.stack = stack;
        this.prometheus = new PrometheusApi(baseUrl, probe);
    }

    @Override
    public String name() {
        return "prometheus";
    }

    @Override
    public boolean ratesAtFirstSample() {
        return true;
    }

    /** True when Prometheus answers its readiness endpoint. */
    public boolean ready() {
        return prometheus.ready();
    }

    @Override
    public TopSample sample() {
        Instant at = Instant.now();
        var requests = byInstance("sum by (instance) (rate(http_requests_total{" + API + "}[" + WINDOW + "]))");
        var errors = byInstance(
                "sum by (instance) (rate(http_requests_total{" + API + ",status=~\"5..\"}[" + WINDOW + "]))");
        var p50 = byInstance(quantile(0.50, "instance, "));
        var p99 = byInstance(quantile(0.99, "instance, "));
        var hits = byInstance("sum by (instance) (rate(cache_hits_total{job=\"app\"}[" + WINDOW + "]))");
        var misses = byInstance("sum by (instance) (rate(cache_misses_total{job=\"app\"}[" + WINDOW + "]))");
        var circuit = byInstance("max by (instance) (cache_circuit_open{job=\"app\"})");
        Map<String, Map<String, Double>> pool = new HashMap<>();
        for (var series : query("db_pool_connections{job=\"app\"}")) {
            pool.computeIfAbsent(series.label("instance"), k -> new HashMap<>())
                    .put(series.label("state"), series.value());
        }
        List<ServiceContainer> containers = stack.containers();
        List<TopSample.Replica> rows = new ArrayList<>();
        for (ServiceContainer c : containers) {
            if (!c.service().equals(Stack.APP)) {
                continue;
            }
            String instance = c.name();
            Map<String, Double> gauges = pool.getOrDefault(instance, Map.of());
            rows.add(new TopSample.Replica(
                    c.name(),
                    c.state(),
                    c.healthText(),
                    new Figures(
                            requests.get(instance),
                            // no 5xx answered in the window: PromQL has no series for it, the ratio is 0
                            ratio(errors.getOrDefault(instance, 0.0), requests.get(instance)),
                            millis(p50.get(instance)),
                            millis(p99.get(instance)),
                            gauges.get("active"),
                            gauges.get("max"),
                            gauges.get("waiting"),
                            hitRatio(hits.get(instance), misses.get(instance)),
                            circuit.getOrDefault(instance, 0.0) > 0)));
        }
        double allRequests = sum(requests);
        Figures total = new Figures(
                requests.isEmpty() ? null : allRequests,
                ratio(requests.isEmpty() ? null : sum(errors), allRequests),
                millis(single(quantile(0.50, ""))),
                millis(single(quantile(0.99, ""))),
                sumOf(pool, "active"),
                sumOf(pool, "max"),
                sumOf(pool, "waiting"),
                hitRatio(hits.isEmpty() ? null : sum(hits), misses.isEmpty() ? null : sum(misses)),
                circuit.values().stream().anyMatch(v -> v > 0));
        Map<String, Double> db = new LinkedHashMap<>();
        put(db, "up", single("max(pg_up)"));
        put(db, "connections", single("sum(pg_stat_activity_count)"));
        put(db, "max_connections", single("max(pg_settings_max_connections)"));
        Map<String, Double> cache = new LinkedHashMap<>();
        put(cache, "up", single("max(redis_up)"));
        put(cache, "clients", single("max(redis_connected_clients)"));
        put(cache, "memory_used_bytes", single("max(redis_memory_used_bytes)"));
        return new TopSample(
                at,
                name(),
                20,
                rows,
                total,
                withDetail(ReplicaScrapes.service(containers, Stack.DB), db),
                withDetail(ReplicaScrapes.service(containers, Stack.CACHE), cache));
    }

    private static String quantile(double q, String by) {
        return "histogram_quantile(" + q + ", sum by (" + by + "le) (rate(http_request_duration_seconds_bucket{" + API
                + "}[" + WINDOW + "])))";
    }

    private Map<String, Double> byInstance(String promql) {
        Map<String, Double> values = new HashMap<>();
        for (var series : query(promql)) {
            if (!Double.isNaN(series.value())) {
                values.put(series.label("instance"), series.value());
            }
        }
        return values;
    }

    private Double single(String promql) {
        try {
            return prometheus.single(promql);
        } catch (StackctlException e) {
            throw withReplicasHint(e);
        }
    }

    private List<PrometheusApi.Series> query(String promql) {
        try {
            return prometheus.query(promql);
        } catch (StackctlException e) {
            throw withReplicasHint(e);
        }
    }

    private static StackctlException withReplicasHint(StackctlException e) {
        return new StackctlException(
                e.exitCode(),
                e.getMessage(),
                e.hint() + "; or read the replicas directly: bin/stackctl top --source replicas",
                e);
    }

    private static Double ratio(Double part, Double whole) {
        return part == null || whole == null || whole <= 0 ? null : part / whole;
    }

    private static Double hitRatio(Double hits, Double misses) {
        if (hits == null || misses == null || hits + misses <= 0) {
            return null;
        }
        return hits / (hits + misses);
    }

    private static Double millis(Double seconds) {
        return seconds == null || seconds.isInfinite() ? null : seconds * 1000;
    }

    private static double sum(Map<String, Double> values) {
        return values.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private static Double sumOf(Map<String, Map<String, Double>> pool, String state) {
        return pool.isEmpty()
                ? null
                : pool.values().stream()
                        .mapToDouble(g -> g.getOrDefault(state, 0.0))
                        .sum();
    }

    private static void put(Map<String, Double> detail, String key, Double value) {
        if (value != null) {
            detail.put(key, value);
        }
    }

    private static TopSample.Service withDetail(TopSample.Service service, Map<String, Double> detail) {
        return new TopSample.Service(service.state(), service.health(), Collections.unmodifiableMap(detail));
    }
}
