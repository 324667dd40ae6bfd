package io.stackctl.cli;

import io.stackctl.core.ByteSize;
import io.stackctl.top.Figures;
import io.stackctl.top.TopSample;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How {@code top} prints a sample: a table a person reads, or one JSON document a pipeline reads. */
final class TopTable {

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private TopTable() {}

    static void print(TopSample sample, Duration interval, Output output) {
        long running = sample.replicas().stream()
                .filter(r -> r.state().equals("running"))
                .count();
        output.line("%s UTC  %d replica(s), %d running  figures from %s over %s  refresh %s"
                .formatted(
                        CLOCK.format(sample.at()),
                        sample.replicas().size(),
                        running,
                        sample.source().equals("prometheus") ? "Prometheus" : "the replicas' /metrics",
                        sample.windowSeconds() > 0 ? "%.1fs".formatted(sample.windowSeconds()) : "-",
                        interval.toMillis() % 1000 == 0 ? interval.toSeconds() + "s" : interval.toMillis() + "ms"));
        List<List<String>> rows = new ArrayList<>();
        for (var replica : sample.replicas()) {
            rows.add(row(replica.name(), state(replica), replica.figures()));
        }
        rows.add(row("all replicas", "", sample.stack()));
        output.table(List.of("REPLICA", "STATE", "REQ/S", "5XX", "P50", "P99", "POOL", "WAITING", "CACHE HITS"), rows);
        output.line("db: " + service(sample.db(), "connections", "max_connections")
                + "    cache: " + service(sample.cache(), "clients", null)
                + (sample.stack().circuitOpen() ? "    circuit to the cache OPEN on a replica" : ""));
    }

    private static String state(TopSample.Replica replica) {
        return replica.health().equals("-") || replica.health().isEmpty()
                ? replica.state()
                : replica.state() + "/" + replica.health();
    }

    private static List<String> row(String name, String state, Figures f) {
        return List.of(
                name,
                state,
                f.requestsPerSecond() == null ? "-" : "%.1f".formatted(f.requestsPerSecond()),
                f.errorRatio() == null ? "-" : percent(f.errorRatio()),
                millis(f.p50Millis()),
                millis(f.p99Millis()),
                f.poolActive() == null || f.poolMax() == null
                        ? "-"
                        : "%.0f/%.0f".formatted(f.poolActive(), f.poolMax()),
                f.poolWaiting() == null ? "-" : "%.0f".formatted(f.poolWaiting()),
                f.cacheHitRatio() == null ? "-" : percent(f.cacheHitRatio()));
    }

    private static String service(TopSample.Service s, String used, String max) {
        var text = new StringBuilder(s.state());
        if (!s.health().equals("-") && !s.health().isEmpty()) {
            text.append('/').append(s.health());
        }
        Double up = s.detail().get("up");
        if (up != null) {
            text.append(up > 0 ? ", exporter: up" : ", exporter: DOWN");
        }
        Double in = s.detail().get(used);
        if (in != null) {
            Double limit = max == null ? null : s.detail().get(max);
            text.append(", ")
                    .append(used)
                    .append(' ')
                    .append("%.0f".formatted(in))
                    .append(limit == null ? "" : " of %.0f".formatted(limit));
        }
        Double memory = s.detail().get("memory_used_bytes");
        if (memory != null) {
            text.append(", memory ").append(ByteSize.human(memory.longValue()));
        }
        return text.toString();
    }

    private static String percent(double ratio) {
        return ratio == 0 ? "0%" : ratio < 0.001 ? "<0.1%" : "%.1f%%".formatted(ratio * 100);
    }

    private static String millis(Double ms) {
        if (ms == null) {
            return "-";
        }
        return ms < 10 ? "%.1fms".formatted(ms) : "%.0fms".formatted(ms);
    }

    static Map<String, Object> document(TopSample sample) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("at", sample.at().toString());
        doc.put("source", sample.source());
        doc.put("window_s", Math.round(sample.windowSeconds() * 1000) / 1000.0);
        doc.put(
                "replicas",
                sample.replicas().stream()
                        .map(r -> {
                            Map<String, Object> item = new LinkedHashMap<>();
                            item.put("name", r.name());
                            item.put("state", r.state());
                            item.put("health", r.health());
                            item.putAll(figures(r.figures()));
                            return item;
                        })
                        .toList());
        doc.put("stack", figures(sample.stack()));
        doc.put("db", service(sample.db()));
        doc.put("cache", service(sample.cache()));
        return doc;
    }

    private static Map<String, Object> figures(Figures f) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("requests_per_s", rounded(f.requestsPerSecond()));
        item.put("error_ratio", rounded(f.errorRatio()));
        item.put("p50_ms", rounded(f.p50Millis()));
        item.put("p99_ms", rounded(f.p99Millis()));
        item.put("pool_active", f.poolActive());
        item.put("pool_max", f.poolMax());
        item.put("pool_waiting", f.poolWaiting());
        item.put("cache_hit_ratio", rounded(f.cacheHitRatio()));
        item.put("cache_circuit_open", f.circuitOpen());
        return item;
    }

    /** Three decimals: what a reader or a threshold in a pipeline needs of a rate, a ratio or milliseconds. */
    private static Double rounded(Double value) {
        return value == null ? null : Math.round(value * 1000) / 1000.0;
    }

    private static Map<String, Object> service(TopSample.Service s) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("state", s.state());
        item.put("health", s.health());
        item.putAll(s.detail());
        return item;
    }
}
